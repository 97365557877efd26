import GRDB
import PatgateCore

/// The revocation events the triggers of migration `v5_revocation_events` record, also when
/// another process (the CLI) revoked.
extension SQLitePATStore: RevocationSource {
    public func revocations(after sequence: Int64, limit: Int) async throws -> [RevocationEvent] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT sequence, kind, subject, at FROM revocation_event WHERE sequence > ? ORDER BY sequence LIMIT ?
                """, arguments: [sequence, limit]).compactMap { row in
                RevocationEvent.Kind(rawValue: row["kind"]).map {
                    RevocationEvent(sequence: row["sequence"], kind: $0, subject: row["subject"], at: row["at"])
                }
            }
        }
    }

    public func latestRevocation() async throws -> Int64 {
        try await database.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM revocation_event") ?? 0 }
    }
}
