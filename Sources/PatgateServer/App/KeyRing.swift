import JOSE
import OpenSSL

/// The signing keys: the active one signs, retired ones stay in the JWKS so tokens they
/// signed still verify until they expire. Loaded once at start; errors name the file.
public struct KeyRing: Sendable {
    public let active: SigningKey
    public let retired: [SigningKey]
    public let signer: JWTSigner
    /// `{"keys":[…]}`, built once.
    public let jwksJSON: [UInt8]

    public init(active: SigningKey, retired: [SigningKey] = []) {
        self.active = active
        self.retired = retired.filter { $0.keyID != active.keyID }
        self.signer = JWTSigner(key: active)
        self.jwksJSON = JWKSet(keys: ([active] + self.retired).map(\.publicJWK)).jsonBytes()
    }

    public init(config: PatgateConfig.Keys) throws {
        func load(_ key: String, _ path: String, _ algorithm: SignatureAlgorithm?) throws -> SigningKey {
            do {
                return try SigningKey(contentsOfFile: path, algorithm: algorithm)
            } catch {
                throw ConfigError(["\(key): \(path): \(error)"])
            }
        }
        let active = try load("keys.active", config.activePath, config.algorithm)
        let retired = try config.retiredPaths.map { try load("keys.retired", $0, nil) }
        self.init(active: active, retired: retired)
    }

    /// The active key's algorithm: what signs new tokens and RFC 9701 introspection answers.
    public var signingAlgorithm: String { active.algorithm.rawValue }

    public var algorithms: [String] {
        Array(Set(([active] + retired).map(\.algorithm.rawValue))).sorted()
    }
}
