extension PrivateKey {
    /// The smallest RSA modulus accepted, in bits.
    static let minimumRSABits = 2048

    /// The algorithm for `key`: the one its type implies, or `requested` if the key fits it.
    ///
    /// P-256 → ES256, P-384 → ES384, RSA ≥ 2048 bits → RS256 (or PS256 if asked), Ed25519 → EdDSA.
    static func resolveAlgorithm(for key: EVPKey, requested: SignatureAlgorithm?) throws -> SignatureAlgorithm {
        let natural: SignatureAlgorithm
        let description: String
        switch key.kind {
        case .ec(let curve):
            switch curve {
            case "prime256v1", "P-256", "secp256r1": natural = .es256
            case "secp384r1", "P-384": natural = .es384
            default:
                throw CryptoError(.unsupportedKey, "EC curve \(curve) is not supported; use P-256 or P-384")
            }
            description = "an EC \(curve) key"
        case .rsa(let bits):
            guard bits >= minimumRSABits else {
                throw CryptoError(
                    .unsupportedKey, "RSA key of \(bits) bits is too small; at least \(minimumRSABits) bits are required")
            }
            natural = requested == .ps256 ? .ps256 : .rs256
            description = "an RSA key"
        case .ed25519:
            natural = .edDSA
            description = "an Ed25519 key"
        case .other(let name):
            throw CryptoError(.unsupportedKey, "key type \(name) is not supported; use EC P-256/P-384, RSA or Ed25519")
        }
        if let requested, requested != natural {
            throw CryptoError(
                .algorithmMismatch, "algorithm \(requested.rawValue) cannot be used with \(description)")
        }
        return natural
    }
}
