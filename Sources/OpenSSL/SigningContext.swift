internal import CLibcrypto

/// Signing and verification prepared once per key and algorithm.
///
/// Holds two `EVP_MD_CTX` templates, already through `EVP_DigestSignInit_ex` /
/// `EVP_DigestVerifyInit_ex` with digest and padding set. Each call copies a
/// template into a fresh context (`EVP_MD_CTX_copy_ex` only reads the source),
/// so there is no shared mutable state and calls may run concurrently. Copying
/// skips OpenSSL 3's per-init algorithm fetch, which costs ~10% of an ES256 sign.
final class SigningContext: @unchecked Sendable {
    let key: EVPKey
    let algorithm: SignatureAlgorithm
    /// Bytes of one JWS signature: raw R||S for ECDSA, modulus size for RSA, 64 for Ed25519.
    let signatureSize: Int
    private let derCapacity: Int
    private let signTemplate: OpaquePointer
    private let verifyTemplate: OpaquePointer
    /// ECDSA set-ups made ahead (`ECDSASetupPool`); `nil` for RSA and EdDSA.
    private let setups: ECDSASetupPool?

    /// Prepares both templates; throws `.signingFailed` if OpenSSL refuses the key or algorithm.
    static func make(key: EVPKey, algorithm: SignatureAlgorithm) throws -> SigningContext {
        let signer = try makeTemplate(key: key, algorithm: algorithm, signing: true)
        do {
            let verifier = try makeTemplate(key: key, algorithm: algorithm, signing: false)
            return SigningContext(key: key, algorithm: algorithm, signTemplate: signer, verifyTemplate: verifier)
        } catch {
            EVP_MD_CTX_free(signer)
            throw error
        }
    }

    private init(key: EVPKey, algorithm: SignatureAlgorithm, signTemplate: OpaquePointer, verifyTemplate: OpaquePointer) {
        self.key = key
        self.algorithm = algorithm
        self.signTemplate = signTemplate
        self.verifyTemplate = verifyTemplate
        self.derCapacity = key.maxSignatureSize
        if let coordinate = algorithm.ecCoordinateSize, let digestName = algorithm.digestName {
            self.signatureSize = 2 * coordinate
            self.setups = ECDSASetupPool(key: key, digestName: digestName, coordinateSize: coordinate)
        } else {
            self.signatureSize = key.maxSignatureSize
            self.setups = nil
        }
    }

    deinit {
        EVP_MD_CTX_free(signTemplate)
        EVP_MD_CTX_free(verifyTemplate)
    }

    private static func makeTemplate(key: EVPKey, algorithm: SignatureAlgorithm, signing: Bool) throws -> OpaquePointer {
        let what = signing ? "signing" : "verification"
        guard let ctx = EVP_MD_CTX_new() else {
            throw OpenSSLError.error(.signingFailed, "cannot allocate a \(what) context")
        }
        var pctx: OpaquePointer? = nil
        let initialised =
            signing
            ? EVP_DigestSignInit_ex(ctx, &pctx, algorithm.digestName, nil, nil, key.pointer, nil)
            : EVP_DigestVerifyInit_ex(ctx, &pctx, algorithm.digestName, nil, nil, key.pointer, nil)
        guard initialised == 1, let pctx else {
            EVP_MD_CTX_free(ctx)
            throw OpenSSLError.error(.signingFailed, "cannot prepare \(algorithm.rawValue) \(what)")
        }
        let padded: Bool
        switch algorithm {
        case .rs256:
            padded = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        case .ps256:
            padded =
                EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1
        default:
            padded = true
        }
        guard padded else {
            EVP_MD_CTX_free(ctx)
            throw OpenSSLError.error(.signingFailed, "cannot set \(algorithm.rawValue) padding")
        }
        return ctx
    }

    /// Writes the JWS signature of `message` into `output` (at least `signatureSize`
    /// bytes) and returns its length.
    func sign(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        guard output.count >= signatureSize else {
            throw CryptoError(.signingFailed, "signature buffer too small")
        }
        if let setups, let length = setups.sign(message, into: output) { return length }
        guard let ctx = EVP_MD_CTX_new() else {
            throw OpenSSLError.error(.signingFailed, "cannot allocate a signing context")
        }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_MD_CTX_copy_ex(ctx, signTemplate) == 1 else {
            throw OpenSSLError.error(.signingFailed, "cannot copy the signing context")
        }
        return try message.withNonNullBase { tbs in
            try digestSign(ctx, tbs.assumingMemoryBound(to: UInt8.self), message.count, into: output)
        }
    }

    private func digestSign(
        _ ctx: OpaquePointer, _ tbs: UnsafePointer<UInt8>, _ count: Int, into output: UnsafeMutableRawBufferPointer
    ) throws -> Int {
        guard let coordinate = algorithm.ecCoordinateSize else {
            var length = output.count
            let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard EVP_DigestSign(ctx, out, &length, tbs, count) == 1, length == signatureSize else {
                throw OpenSSLError.error(.signingFailed, "\(algorithm.rawValue) signing failed")
            }
            return length
        }
        return try withUnsafeTemporaryAllocation(byteCount: derCapacity, alignment: 1) { der in
            var length = der.count
            let out = der.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard EVP_DigestSign(ctx, out, &length, tbs, count) == 1, length <= der.count else {
                throw OpenSSLError.error(.signingFailed, "\(algorithm.rawValue) signing failed")
            }
            let signature = UnsafeRawBufferPointer(rebasing: der[0..<length])
            guard ECDSASignature.rawFromDER(signature, coordinateSize: coordinate, into: output) else {
                throw CryptoError(.signingFailed, "OpenSSL returned a malformed ECDSA signature")
            }
            return 2 * coordinate
        }
    }

    /// Whether `signature` (JWS form) is valid for `message` under this key.
    func verify(signature: [UInt8], message: UnsafeRawBufferPointer) -> Bool {
        var signature = signature
        if let coordinate = algorithm.ecCoordinateSize {
            guard let der = ECDSASignature.derFromRaw(signature, coordinateSize: coordinate) else { return false }
            signature = der
        } else if signature.count != signatureSize {
            return false
        }
        guard let ctx = EVP_MD_CTX_new() else {
            OpenSSLError.clear()
            return false
        }
        defer { EVP_MD_CTX_free(ctx) }
        let valid = message.withNonNullBase { tbs in
            EVP_MD_CTX_copy_ex(ctx, verifyTemplate) == 1
                && EVP_DigestVerify(
                    ctx, signature, signature.count, tbs.assumingMemoryBound(to: UInt8.self), message.count) == 1
        }
        if !valid { OpenSSLError.clear() }
        return valid
    }
}
