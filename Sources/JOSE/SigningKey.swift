/// A private key that signs JWS/JWTs, with its algorithm, RFC 7638 key id and public JWK.
///
/// A value type over a shared, immutable OpenSSL key and prepared signing contexts.
/// All methods are safe to call concurrently from many threads on one key.
public struct SigningKey: Sendable, CustomStringConvertible {
    /// The JWS algorithm this key signs with.
    public let algorithm: SignatureAlgorithm
    /// The RFC 7638 JWK thumbprint (base64url SHA-256), computed once at init.
    public let keyID: String
    /// The public half as a JWK, with `kid`, `alg` and `use: "sig"`.
    public let publicJWK: JWK

    let context: SigningContext

    /// Wraps a loaded key: resolves the algorithm, prepares signing, computes the JWK and thumbprint.
    init(key: EVPKey, requested: SignatureAlgorithm?) throws {
        let algorithm = try SigningKey.resolveAlgorithm(for: key, requested: requested)
        let jwk = try SigningKey.publicJWK(of: key, algorithm: algorithm)
        self.algorithm = algorithm
        self.keyID = jwk.kid ?? ""
        self.publicJWK = jwk
        self.context = try SigningContext.make(key: key, algorithm: algorithm)
    }

    /// `SigningKey(ES256, kid: …)`: algorithm and key id only, never key material.
    public var description: String {
        "SigningKey(\(algorithm.rawValue), kid: \(keyID))"
    }

    /// Bytes in one signature from this key (64 for ES256 and EdDSA, 96 for ES384, the modulus size for RSA).
    public var signatureSize: Int { context.signatureSize }

    /// The JWS signature of `message`: raw R||S for ECDSA (RFC 7518 §3.4),
    /// RSASSA-PKCS1-v1_5 or RSASSA-PSS (SHA-256, 32-byte salt) for RSA, 64 raw bytes for Ed25519.
    /// - Throws: `JOSEError` with code `.signingFailed`.
    public func sign(_ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        let size = context.signatureSize
        return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = try context.sign(message, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// The JWS signature of `message`; see `sign(_:)` for the format.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        try message.withUnsafeBytes { try sign($0) }
    }

    /// Whether `signature` (in JWS form) is a valid signature of `message` by this key.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        message.withUnsafeBytes { context.verify(signature: signature, message: $0) }
    }

    /// Verifies over raw bytes, for `JWTVerifier`.
    func verify(signature: [UInt8], message: UnsafeRawBufferPointer) -> Bool {
        context.verify(signature: signature, message: message)
    }

    /// Writes the signature into `output`; returns its length. For `JWTSigner`.
    func sign(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        try context.sign(message, into: output)
    }
}
