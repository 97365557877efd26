import NIOCore
import PatgateCore
import PostgresNIO

extension PostgresPATStore {
    /// The row shape of `columns`, in its order.
    typealias Row = (String, String, String, [String], Int64, Int64?, Int64?, Int64?, String?)

    /// Runs a `SELECT \(columns) …` and decodes every row.
    func tokens(_ query: PostgresQuery) async throws -> [PersonalAccessToken] {
        var tokens: [PersonalAccessToken] = []
        for try await row in try await database.query(query).decode(Row.self) {
            tokens.append(PersonalAccessToken(
                id: row.0, owner: row.1, name: row.2, scopes: row.3, createdAt: row.4,
                expiresAt: row.5, revokedAt: row.6, lastUsedAt: row.7, lastUsedAddress: row.8))
        }
        return tokens
    }

    public func page(_ query: PATQuery) async throws -> PATPage {
        let limit = max(1, min(query.limit, 500))
        let cursor = query.cursor.flatMap(PATCursor.init(encoded:))
        let state = query.state?.rawValue
        // Absent filters are NULL parameters; PostgreSQL plans with the values bound, so the
        // `IS NULL` arms fold away and the owner and created_at indexes stay usable.
        let rows = try await tokens("""
            SELECT \(unescaped: Self.columns) FROM personal_access_token
            WHERE (\(query.owner)::text IS NULL OR owner = \(query.owner))
              AND CASE \(state)::text
                    WHEN 'active' THEN revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(query.now))
                    WHEN 'expired' THEN revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= \(query.now)
                    WHEN 'revoked' THEN revoked_at IS NOT NULL
                    ELSE true END
              AND (\(cursor?.createdAt)::bigint IS NULL OR created_at < \(cursor?.createdAt)
                   OR (created_at = \(cursor?.createdAt) AND id < \(cursor?.id)))
            ORDER BY created_at DESC, id DESC
            LIMIT \(Int64(limit + 1))
            """)
        return PATPage(lookahead: rows, limit: limit)
    }
}

extension PostgresRowSequence {
    /// The first column of every row, reading the sequence to its end.
    func column<Value: PostgresDecodable & Sendable>(_ type: Value.Type) async throws -> [Value] {
        var values: [Value] = []
        for try await value in decode(Value.self) {
            values.append(value)
        }
        return values
    }
}
