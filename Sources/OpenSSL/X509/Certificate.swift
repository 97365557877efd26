internal import CLibcrypto

/// An X.509 certificate: read from PEM or issued by `CertificateAuthority`.
public struct Certificate: Sendable {
    let handle: X509Handle

    init(_ handle: X509Handle) {
        self.handle = handle
    }

    /// Parses the first certificate in `pem`.
    /// - Throws: `CryptoError` `.invalidCertificate`.
    public init(pem: String) throws {
        guard let first = try Self.chain(pem: pem).first else {
            throw CryptoError(.invalidCertificate, "the PEM holds no certificate")
        }
        self = first
    }

    /// Every `CERTIFICATE` block in `pem`, in order; at least one.
    /// - Throws: `CryptoError` `.invalidCertificate` if there is none or one is malformed.
    public static func chain(pem: String) throws -> [Certificate] {
        let certificates = try X509Support.withReadBIO(Array(pem.utf8), .invalidCertificate) { bio in
            var found: [Certificate] = []
            while let pointer = PEM_read_bio_X509(bio, nil, nil, nil) {
                found.append(Certificate(X509Handle(taking: pointer)))
            }
            // The loop ends at the first failure: the end of input (no more start lines), or a bad block.
            let code = ERR_peek_last_error()
            let endOfInput = patgate_ERR_GET_REASON(code) == PEM_R_NO_START_LINE
            let reason = OpenSSLError.drain(or: "no CERTIFICATE block")
            guard endOfInput || code == 0 else {
                throw CryptoError(.invalidCertificate, "a certificate in the PEM could not be parsed (\(reason))")
            }
            return found
        }
        guard !certificates.isEmpty else {
            throw CryptoError(.invalidCertificate, "the PEM holds no CERTIFICATE block")
        }
        return certificates
    }

    /// The serial number in upper-case hexadecimal, as `openssl x509 -serial` prints it.
    public var serialHex: String {
        guard let integer = X509_get0_serialNumber(handle.pointer),
            let bn = ASN1_INTEGER_to_BN(integer, nil)
        else {
            OpenSSLError.clear()
            return ""
        }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else {
            OpenSSLError.clear()
            return ""
        }
        defer { patgate_OPENSSL_free(hex) }
        return String(cString: hex)
    }

    /// `notBefore`, in seconds since the epoch.
    public func notBefore() throws -> Int64 {
        try X509Support.seconds(X509_get0_notBefore(handle.pointer))
    }

    /// `notAfter`, in seconds since the epoch.
    public func notAfter() throws -> Int64 {
        try X509Support.seconds(X509_get0_notAfter(handle.pointer))
    }

    /// The subject's public key type and size.
    public var keyInfo: PublicKeyInfo {
        guard let key = X509_get_pubkey(handle.pointer) else {
            OpenSSLError.clear()
            return .other("unreadable")
        }
        return PublicKeyInfo(EVPKey(taking: key).kind)
    }

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`, with a final newline).
    public func pem() throws -> String {
        try X509Support.text("certificate") { PEM_write_bio_X509($0, handle.pointer) }
    }
}
