import JOSE
import OpenSSL

/// The signing keys: the active one signs; staged (`next`) keys are published before any
/// replica signs with them, and retired ones stay published so tokens they signed still verify
/// until they expire (README, "Rotating the signing key"). Loaded once at start; errors name
/// the file.
public struct KeyRing: Sendable {
    public let active: SigningKey
    public let next: [SigningKey]
    public let retired: [SigningKey]
    public let signer: JWTSigner
    /// `{"keys":[…]}`, built once: active, next, retired.
    public let jwksJSON: [UInt8]

    public init(active: SigningKey, next: [SigningKey] = [], retired: [SigningKey] = []) {
        self.active = active
        self.next = next.filter { $0.keyID != active.keyID }
        let published = Set(([active] + self.next).map(\.keyID))
        self.retired = retired.filter { !published.contains($0.keyID) }
        self.signer = JWTSigner(key: active)
        self.jwksJSON = JWKSet(keys: ([active] + self.next + self.retired).map(\.publicJWK)).jsonBytes()
    }

    /// Every key the JWKS names, and so every key a token from any replica of a fleet in the
    /// middle of a rotation may carry.
    public var published: [SigningKey] { [active] + next + retired }

    public init(config: PatgateConfig.Keys) throws {
        func load(_ key: String, _ path: String, _ algorithm: SignatureAlgorithm?) throws -> SigningKey {
            do {
                return try SigningKey(contentsOfFile: path, algorithm: algorithm)
            } catch {
                throw ConfigError(["\(key): \(path): \(error)"])
            }
        }
        let active = try load("keys.active", config.activePath, config.algorithm)
        let next = try config.nextPaths.map { try load("keys.next", $0, nil) }
        let retired = try config.retiredPaths.map { try load("keys.retired", $0, nil) }
        self.init(active: active, next: next, retired: retired)
    }

    /// The active key's algorithm: what signs new tokens and RFC 9701 introspection answers.
    public var signingAlgorithm: String { active.algorithm.rawValue }

    public var algorithms: [String] {
        Array(Set(published.map(\.algorithm.rawValue))).sorted()
    }
}
