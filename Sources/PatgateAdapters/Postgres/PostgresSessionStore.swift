import NIOCore
import PatgateCore
import PostgresNIO

/// Console sessions in PostgreSQL (table `sessions`), shared by every replica. The key is
/// the SHA-256 of the session id; the id itself is never stored.
public struct PostgresSessionStore: SessionStore {
    typealias Row = (ByteBuffer, String, String, Int64, Int64, String?)

    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func insert(_ session: Session) async throws {
        try await database.query("""
            INSERT INTO sessions (id_hash, username, csrf_token, created_at, last_seen_at, address)
            VALUES (\(ByteBuffer(bytes: session.idHash)), \(session.username), \(session.csrfToken),
                    \(session.createdAt), \(session.lastSeenAt), \(session.address))
            """)
    }

    public func find(idHash: [UInt8]) async throws -> Session? {
        let rows = try await database.query("""
            SELECT id_hash, username, csrf_token, created_at, last_seen_at, address
            FROM sessions WHERE id_hash = \(ByteBuffer(bytes: idHash))
            """)
        var found: Session?
        for try await row in rows.decode(Row.self) {
            found = Session(idHash: Array(row.0.readableBytesView), username: row.1, csrfToken: row.2,
                            createdAt: row.3, lastSeenAt: row.4, address: row.5)
        }
        return found
    }

    public func touch(idHash: [UInt8], at time: Int64) async throws {
        try await database.query("UPDATE sessions SET last_seen_at = \(time) WHERE id_hash = \(ByteBuffer(bytes: idHash))")
    }

    public func delete(idHash: [UInt8]) async throws {
        try await database.query("DELETE FROM sessions WHERE id_hash = \(ByteBuffer(bytes: idHash))")
    }

    public func purge(idleBefore: Int64, createdBefore: Int64) async throws -> Int {
        let deleted = try await database.query("""
            WITH gone AS (DELETE FROM sessions WHERE last_seen_at < \(idleBefore) OR created_at < \(createdBefore) RETURNING 1)
            SELECT count(*) FROM gone
            """).column(Int64.self)
        return Int(deleted.first ?? 0)
    }
}
