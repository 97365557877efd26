import OpenSSL

/// `credentials.x509.*`: the CA that signs client certificates and what it accepts.
public struct X509Settings: Sendable {
    /// The CA key and certificate (chain), loaded once at start-up.
    public var authority: CertificateAuthority
    /// Where they came from, for messages.
    public var certificatePath: String
    public var keyPath: String
    /// The URI SAN of every issued certificate.
    public var subjectURI: SubjectURITemplate
    /// The smallest RSA modulus a CSR may carry (`min_rsa_bits`, at least 2048).
    public var minimumRSABits: Int

    public static let defaultMinimumRSABits = 2048
    public static let defaultSubjectURI = "spiffe://patgate.local/user/{user}"

    public init(authority: CertificateAuthority, certificatePath: String, keyPath: String,
                subjectURI: SubjectURITemplate, minimumRSABits: Int = defaultMinimumRSABits) {
        self.authority = authority
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.subjectURI = subjectURI
        self.minimumRSABits = minimumRSABits
    }

    /// Why a CSR's key is refused, or `nil` when it is EC P-256/P-384, Ed25519 or RSA ≥ `minimumRSABits`.
    public func refusal(of key: PublicKeyInfo) -> String? {
        switch key {
        case .ec(curve: "P-256"), .ec(curve: "P-384"), .ed25519:
            return nil
        case .rsa(let bits):
            return bits >= minimumRSABits ? nil : "an RSA key of \(bits) bits is too small; at least \(minimumRSABits) bits are required"
        case .ec(let curve):
            return "the EC curve \(curve) is not supported; use P-256 or P-384"
        case .other(let name):
            return "a key of type \(name) is not supported; use EC P-256/P-384, Ed25519 or RSA ≥ \(minimumRSABits) bits"
        }
    }
}
