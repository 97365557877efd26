/// How many PATs there are in each state (a port: the SQLite and PostgreSQL stores count them
/// in one query), for the `patgate_pats{state}` gauge.
public protocol PATCensus: Sendable {
    /// Counts at `now`: every token is in exactly one state (`PersonalAccessToken.state(at:)`).
    func countByState(at now: Int64) async throws -> [PersonalAccessToken.State: Int]
}

extension PATCensus {
    /// Active tokens are those neither revoked nor expired.
    public static func census(total: Int, revoked: Int, expired: Int) -> [PersonalAccessToken.State: Int] {
        [.active: max(0, total - revoked - expired), .expired: expired, .revoked: revoked]
    }
}
