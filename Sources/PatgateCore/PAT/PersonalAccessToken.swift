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

    public init(id: String, owner: String, name: String, scopes: [String], createdAt: Int64,
                expiresAt: Int64? = nil, revokedAt: Int64? = nil, lastUsedAt: Int64? = nil) {
        self.id = id
        self.owner = owner
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }

    public enum State: String, Sendable { case active, expired, revoked }

    public func state(at now: Int64) -> State {
        if revokedAt != nil { return .revoked }
        if let expiresAt, expiresAt <= now { return .expired }
        return .active
    }
}

/// Persistence of PATs (a port: the SQLite store implements it, PostgreSQL later).
///
/// An acknowledged write is durable (DESIGN invariant 5).
public protocol PATStore: Sendable {
    /// Stores a new token with the keyed hash of its value; a live token of the same
    /// owner and name makes it fail with `PATError.duplicateName`.
    func insert(_ token: PersonalAccessToken, valueHash: [UInt8]) async throws
    func find(valueHash: [UInt8]) async throws -> PersonalAccessToken?
    func find(id: String) async throws -> PersonalAccessToken?
    func list(owner: String) async throws -> [PersonalAccessToken]
    /// Sets `revokedAt` if not yet set; `false` when no token has that id.
    func revoke(id: String, at time: Int64) async throws -> Bool
    /// A cheap query that proves the store answers.
    func ping() async throws
}
