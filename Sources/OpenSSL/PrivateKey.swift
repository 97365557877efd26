/// A private key that signs with one `SignatureAlgorithm` (JWS names, RFC 7518 §3.1).
///
/// A value type over a shared, immutable OpenSSL key and prepared signing contexts.
/// All methods are safe to call concurrently from many threads on one key.
/// `JOSE.SigningKey` adds the key id and public JWK on top.
public struct PrivateKey: Sendable, CustomStringConvertible {
    /// The algorithm this key signs with.
    public let algorithm: SignatureAlgorithm

    let context: SigningContext

    /// Wraps a loaded key: resolves the algorithm and prepares signing.
    init(key: EVPKey, requested: SignatureAlgorithm?) throws {
        let algorithm = try PrivateKey.resolveAlgorithm(for: key, requested: requested)
        self.algorithm = algorithm
        self.context = try SigningContext.make(key: key, algorithm: algorithm)
    }

    /// `PrivateKey(ES256)`: the algorithm only, never key material.
    public var description: String {
        "PrivateKey(\(algorithm.rawValue))"
    }

    /// Bytes in one signature from this key (64 for ES256 and EdDSA, 96 for ES384, the modulus size for RSA).
    public var signatureSize: Int { context.signatureSize }

    /// The JWS signature of `message`: raw R||S for ECDSA (RFC 7518 §3.4),
    /// RSASSA-PKCS1-v1_5 or RSASSA-PSS (SHA-256, 32-byte salt) for RSA, 64 raw bytes for Ed25519.
    /// - Throws: `CryptoError` with code `.signingFailed`.
    public func sign(_ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        let size = context.signatureSize
        return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = try context.sign(message, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// The signature of `message`; see `sign(_:)` for the format.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        try message.withUnsafeBytes { try sign($0) }
    }

    /// Whether `signature` (in JWS form) is a valid signature of `message` by this key.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        message.withUnsafeBytes { context.verify(signature: signature, message: $0) }
    }

    /// Verifies over raw bytes, for `JWTVerifier`.
    package func verify(signature: [UInt8], message: UnsafeRawBufferPointer) -> Bool {
        context.verify(signature: signature, message: message)
    }

    /// Whether ECDSA keys sign with nonce set-ups made ahead on an idle core (`ECDSASetupPool`),
    /// for the whole process; off by default (`keys.ecdsa_setups_ahead` turns it on in the server).
    package static var signsWithSetupsMadeAhead: Bool {
        get { ECDSASetupPool.isEnabled }
        set { ECDSASetupPool.isEnabled = newValue }
    }

    /// Writes the signature into `output` (at least `signatureSize` bytes); returns its length.
    /// For `JWTSigner`, which signs straight into the token buffer.
    package func sign(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        try context.sign(message, into: output)
    }
}
