import PatgateCore
import PostgresNIO

/// The revocation events the triggers of migration `0003_revocation_events` record, whichever
/// replica (or CLI) revoked.
extension PostgresPATStore: RevocationSource {
    public func revocations(after sequence: Int64, limit: Int) async throws -> [RevocationEvent] {
        var events: [RevocationEvent] = []
        let rows = try await database.query("""
            SELECT sequence, kind, subject, at FROM revocation_event
            WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
            """)
        for try await (number, kind, subject, at) in rows.decode((Int64, String, String, Int64).self) {
            if let kind = RevocationEvent.Kind(rawValue: kind) {
                events.append(RevocationEvent(sequence: number, kind: kind, subject: subject, at: at))
            }
        }
        return events
    }

    public func latestRevocation() async throws -> Int64 {
        try await database.query("SELECT COALESCE(max(sequence), 0)::bigint FROM revocation_event")
            .column(Int64.self).first ?? 0
    }
}
