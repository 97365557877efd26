/// The type and size of a public key in a certificate or request, for policy decisions.
public enum PublicKeyInfo: Sendable, Equatable, CustomStringConvertible {
    /// An EC key on a named curve, as `P-256`, `P-384`, or OpenSSL's name for other curves.
    case ec(curve: String)
    case rsa(bits: Int)
    case ed25519
    /// Any other key type, by OpenSSL's name (`RSA-PSS`, `ED448`, `DSA`, …).
    case other(String)

    init(_ kind: EVPKey.Kind) {
        switch kind {
        case .ec(let curve):
            switch curve {
            case "prime256v1", "P-256", "secp256r1": self = .ec(curve: "P-256")
            case "secp384r1", "P-384": self = .ec(curve: "P-384")
            default: self = .ec(curve: curve)
            }
        case .rsa(let bits): self = .rsa(bits: bits)
        case .ed25519: self = .ed25519
        case .other(let name): self = .other(name)
        }
    }

    /// `EC P-256`, `RSA 2048`, `Ed25519`, …
    public var description: String {
        switch self {
        case .ec(let curve): "EC \(curve)"
        case .rsa(let bits): "RSA \(bits)"
        case .ed25519: "Ed25519"
        case .other(let name): name
        }
    }
}
