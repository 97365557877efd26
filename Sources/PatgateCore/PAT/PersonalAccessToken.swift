/// A personal access token as the issuer stores it: everything but the value,
/// of which only a keyed hash is kept.
public struct PersonalAccessToken: Sendable, Equatable, Codable {
    public var id: String
    public var owner: String
    public var name: String
    public var scopes: [String]
    public var createdAt: Int64
    public var expiresAt: Int64?
    public var revokedAt: Int64?
    public var lastUsedAt: Int64?
    /// The client address of the last introspection (the gateway's, or the caller's).
    public var lastUsedAddress: String?

    public init(id: String, owner: String, name: String, scopes: [String], createdAt: Int64,
                expiresAt: Int64? = nil, revokedAt: Int64? = nil, lastUsedAt: Int64? = nil,
                lastUsedAddress: String? = nil) {
        self.id = id
        self.owner = owner
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
        self.lastUsedAddress = lastUsedAddress
    }

    public enum State: String, Sendable { case active, expired, revoked }

    public func state(at now: Int64) -> State {
        if revokedAt != nil { return .revoked }
        if let expiresAt, expiresAt <= now { return .expired }
        return .active
    }
}

