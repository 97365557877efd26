/// A console login session. The store keeps only the SHA-256 of the session id, so a
/// database dump does not hand out live sessions.
public struct Session: Sendable, Equatable {
    public var idHash: [UInt8]
    public var username: String
    /// Sent by the console in `X-CSRF-Token`; compared in constant time.
    public var csrfToken: String
    public var createdAt: Int64
    public var lastSeenAt: Int64
    public var address: String?

    public init(idHash: [UInt8], username: String, csrfToken: String, createdAt: Int64, lastSeenAt: Int64, address: String?) {
        self.idHash = idHash
        self.username = username
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.address = address
    }
}

/// Persistence of sessions (a port), shared by replicas on PostgreSQL.
public protocol SessionStore: Sendable {
    func insert(_ session: Session) async throws
    func find(idHash: [UInt8]) async throws -> Session?
    /// Updates `lastSeenAt`.
    func touch(idHash: [UInt8], at time: Int64) async throws
    func delete(idHash: [UInt8]) async throws
    /// Deletes sessions idle since before `idleBefore` or created before `createdBefore`; returns how many.
    func purge(idleBefore: Int64, createdBefore: Int64) async throws -> Int
}
