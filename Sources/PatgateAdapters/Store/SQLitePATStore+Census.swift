import GRDB
import PatgateCore

extension SQLitePATStore: PATCensus {
    public func countByState(at now: Int64) async throws -> [PersonalAccessToken.State: Int] {
        // The counts leave GRDB's queue as plain integers (a `Row` is not `Sendable`).
        let counts = try await database.read { db -> (total: Int, revoked: Int, expired: Int)? in
            try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS total,
                       COALESCE(SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS revoked,
                       COALESCE(SUM(CASE WHEN revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? THEN 1 ELSE 0 END), 0) AS expired
                FROM personal_access_token
                """, arguments: [now]).map { row in (row["total"], row["revoked"], row["expired"]) }
        }
        guard let counts else { return Self.census(total: 0, revoked: 0, expired: 0) }
        return Self.census(total: counts.total, revoked: counts.revoked, expired: counts.expired)
    }
}
