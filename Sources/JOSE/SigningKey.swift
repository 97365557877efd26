import OpenSSL

/// A private key that signs JWS/JWTs, with its RFC 7638 key id and public JWK.
///
/// A `PrivateKey` (OpenSSL) plus what JOSE derives from it once at init.
/// All methods are safe to call concurrently from many threads on one key.
public struct SigningKey: Sendable, CustomStringConvertible {
    /// The key that signs.
    public let privateKey: PrivateKey
    /// The RFC 7638 JWK thumbprint (base64url SHA-256), computed once at init.
    public let keyID: String
    /// The public half as a JWK, with `kid`, `alg` and `use: "sig"`.
    public let publicJWK: JWK

    /// Wraps a loaded key and computes its JWK and thumbprint.
    /// - Throws: `CryptoError` `.encodingFailed` if the public key cannot be exported.
    public init(_ privateKey: PrivateKey) throws {
        let jwk = try SigningKey.publicJWK(of: privateKey)
        self.privateKey = privateKey
        self.keyID = jwk.kid ?? ""
        self.publicJWK = jwk
    }

    /// Loads an unencrypted private key from PEM text; see `PrivateKey.init(pem:algorithm:)`.
    public init(pem: String, algorithm: SignatureAlgorithm? = nil) throws {
        try self.init(PrivateKey(pem: pem, algorithm: algorithm))
    }

    /// Loads an unencrypted PEM private key from a file; see `PrivateKey.init(contentsOfFile:algorithm:)`.
    public init(contentsOfFile path: String, algorithm: SignatureAlgorithm? = nil) throws {
        try self.init(PrivateKey(contentsOfFile: path, algorithm: algorithm))
    }

    /// Generates a new key for `algorithm`; see `PrivateKey.generate(_:)`.
    public static func generate(_ algorithm: SignatureAlgorithm) throws -> SigningKey {
        try SigningKey(PrivateKey.generate(algorithm))
    }

    /// The JWS algorithm this key signs with.
    public var algorithm: SignatureAlgorithm { privateKey.algorithm }

    /// `SigningKey(ES256, kid: …)`: algorithm and key id only, never key material.
    public var description: String {
        "SigningKey(\(algorithm.rawValue), kid: \(keyID))"
    }

    /// Bytes in one signature from this key.
    public var signatureSize: Int { privateKey.signatureSize }

    /// The private key as unencrypted PKCS#8 PEM.
    public func privateKeyPEM() throws -> String { try privateKey.privateKeyPEM() }

    /// The JWS signature of `message`; see `PrivateKey.sign(_:)`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] { try privateKey.sign(message) }

    /// Whether `signature` (in JWS form) is a valid signature of `message` by this key.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        privateKey.verify(signature: signature, message: message)
    }
}
