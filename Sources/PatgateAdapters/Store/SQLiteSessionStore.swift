import Foundation
import GRDB
import PatgateCore

/// Console sessions in the issuer's SQLite file (table `console_session`), keyed by the
/// SHA-256 of the session id.
public final class SQLiteSessionStore: SessionStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func insert(_ session: Session) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO console_session (id_hash, username, csrf_token, created_at, last_seen_at, address)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [Data(session.idHash), session.username, session.csrfToken,
                                 session.createdAt, session.lastSeenAt, session.address])
        }
    }

    public func find(idHash: [UInt8]) async throws -> Session? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_session WHERE id_hash = ?", arguments: [Data(idHash)]).map { row in
                let hash: Data = row["id_hash"]
                return Session(idHash: Array(hash), username: row["username"], csrfToken: row["csrf_token"],
                               createdAt: row["created_at"], lastSeenAt: row["last_seen_at"], address: row["address"])
            }
        }
    }

    public func touch(idHash: [UInt8], at time: Int64) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE console_session SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?",
                           arguments: [time, Data(idHash), time])
        }
    }

    public func delete(idHash: [UInt8]) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE id_hash = ?", arguments: [Data(idHash)])
        }
    }

    public func purge(idleBefore: Int64, createdBefore: Int64) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE last_seen_at < ? OR created_at < ?",
                           arguments: [idleBefore, createdBefore])
            return db.changesCount
        }
    }
}
