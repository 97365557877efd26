/// The JWS algorithms (RFC 7518 §3.1, RFC 8037) this module signs with.
public enum SignatureAlgorithm: String, Sendable, CaseIterable, Codable {
    /// ECDSA on P-256 with SHA-256.
    case es256 = "ES256"
    /// ECDSA on P-384 with SHA-384.
    case es384 = "ES384"
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, and a 32-byte salt.
    case ps256 = "PS256"
    /// Ed25519 (RFC 8037).
    case edDSA = "EdDSA"
}

extension SignatureAlgorithm {
    /// The OpenSSL digest name used with `EVP_DigestSignInit_ex`, or `nil` for EdDSA.
    var digestName: String? {
        switch self {
        case .es256, .rs256, .ps256: "SHA256"
        case .es384: "SHA384"
        case .edDSA: nil
        }
    }

    /// The byte length of one ECDSA coordinate (R or S) for ES*, else `nil`.
    var ecCoordinateSize: Int? {
        switch self {
        case .es256: 32
        case .es384: 48
        default: nil
        }
    }

    /// Whether this algorithm signs with an RSA key.
    var isRSA: Bool { self == .rs256 || self == .ps256 }
}
