internal import CLibcrypto

extension CertificateSigningRequest {
    /// Refuses keys whose proof of possession proves nothing, or that RFC 5480 does not allow,
    /// before the request's signature is trusted.
    ///
    /// - RSA (and RSA-PSS): the public exponent must be odd, at least 65537 and at most 256 bits.
    ///   With e = 1 a "signature" is the padded hash itself, which anyone can compute; small
    ///   exponents are what CA/Browser Forum and NIST SP 800-89 rule out.
    /// - EC: the key must name its curve; a key decoded from explicit curve parameters is refused
    ///   even when they match a named curve (RFC 5480 §2.1.1 requires `namedCurve`).
    /// - Throws: `CryptoError` `.invalidCSR`.
    static func checkKeyStrength(_ key: EVPKey) throws {
        if EVP_PKEY_is_a(key.pointer, "RSA") == 1 || EVP_PKEY_is_a(key.pointer, "RSA-PSS") == 1 {
            try checkRSAExponent(key)
        } else if EVP_PKEY_is_a(key.pointer, "EC") == 1 {
            try checkNamedCurve(key)
        }
    }

    private static func checkRSAExponent(_ key: EVPKey) throws {
        var exponent: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(key.pointer, OSSL_PKEY_PARAM_RSA_E, &exponent) == 1, let exponent else {
            throw OpenSSLError.error(.invalidCSR, "the CSR's RSA public exponent cannot be read")
        }
        defer { BN_free(exponent) }
        let bits = BN_num_bits(exponent)
        // Up to 17 bits the value fits a word; 65537 is the smallest exponent allowed.
        let tooSmall = bits <= 17 && BN_get_word(exponent) < 65_537
        guard BN_is_odd(exponent) == 1, !tooSmall, bits <= 256 else {
            throw CryptoError(.invalidCSR, "the CSR's RSA public exponent is not allowed; it must be odd, at least 65537 and at most 256 bits")
        }
    }

    private static func checkNamedCurve(_ key: EVPKey) throws {
        var explicit: Int32 = -1
        guard EVP_PKEY_get_int_param(key.pointer, OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS, &explicit) == 1 else {
            throw OpenSSLError.error(.invalidCSR, "the CSR's EC key parameters cannot be read")
        }
        guard explicit == 0 else {
            throw CryptoError(.invalidCSR, "the CSR's EC key uses explicit curve parameters; only named curves (P-256, P-384) are accepted")
        }
    }
}
