import GRDB
import PatgateCore

extension SQLitePATStore: PATCensus {
    public func countByState(at now: Int64) async throws -> [PersonalAccessToken.State: Int] {
        let row = try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS total,
                       COALESCE(SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS revoked,
                       COALESCE(SUM(CASE WHEN revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? THEN 1 ELSE 0 END), 0) AS expired
                FROM personal_access_token
                """, arguments: [now])
        }
        guard let row else { return Self.census(total: 0, revoked: 0, expired: 0) }
        return Self.census(total: row["total"], revoked: row["revoked"], expired: row["expired"])
    }
}
