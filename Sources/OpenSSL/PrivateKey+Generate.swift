internal import CLibcrypto

extension PrivateKey {
    /// Bits of a generated RSA key.
    static let generatedRSABits: Int32 = 2048

    /// Generates a new key for `algorithm`: P-256, P-384, RSA-2048 (for RS256 and PS256) or Ed25519.
    /// - Throws: `CryptoError` `.signingFailed` if OpenSSL cannot generate the key.
    public static func generate(_ algorithm: SignatureAlgorithm) throws -> PrivateKey {
        let typeName: String
        switch algorithm {
        case .es256, .es384: typeName = "EC"
        case .rs256, .ps256: typeName = "RSA"
        case .edDSA: typeName = "ED25519"
        }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, typeName, nil) else {
            throw OpenSSLError.error(.signingFailed, "cannot create a \(typeName) key generator")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else {
            throw OpenSSLError.error(.signingFailed, "cannot initialise \(typeName) key generation")
        }
        let configured: Bool
        switch algorithm {
        case .es256: configured = EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1
        case .es384: configured = EVP_PKEY_CTX_set_group_name(ctx, "P-384") == 1
        case .rs256, .ps256: configured = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, generatedRSABits) == 1
        case .edDSA: configured = true
        }
        guard configured else {
            throw OpenSSLError.error(.signingFailed, "cannot configure \(algorithm.rawValue) key generation")
        }
        var pointer: OpaquePointer? = nil
        guard EVP_PKEY_generate(ctx, &pointer) == 1, let pointer else {
            throw OpenSSLError.error(.signingFailed, "\(algorithm.rawValue) key generation failed")
        }
        return try PrivateKey(key: EVPKey(taking: pointer), requested: algorithm)
    }
}
