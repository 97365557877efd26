import PatgateCore
import PostgresNIO

extension PostgresPATStore: PATCensus {
    public func countByState(at now: Int64) async throws -> [PersonalAccessToken.State: Int] {
        let rows = try await database.query("""
            SELECT count(*),
                   count(*) FILTER (WHERE revoked_at IS NOT NULL),
                   count(*) FILTER (WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= \(now))
            FROM personal_access_token
            """)
        for try await (total, revoked, expired) in rows.decode((Int64, Int64, Int64).self) {
            return Self.census(total: Int(total), revoked: Int(revoked), expired: Int(expired))
        }
        return Self.census(total: 0, revoked: 0, expired: 0)
    }
}
