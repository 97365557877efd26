import NIOCore
import PatgateCore
import PostgresNIO

/// PATs in PostgreSQL, for several issuer replicas sharing one database.
///
/// Same semantics as `SQLitePATStore`. The live-name rule is race-free across replicas: every
/// write that can create a live token takes a transaction-scoped advisory lock keyed by the
/// owner before it looks, so two inserts of one owner's name are serialised.
public struct PostgresPATStore: PATStore {
    /// The first key of the two-key advisory locks on owners ("PAT0").
    static let ownerLockSpace: Int32 = 0x5041_5430
    static let columns = "id, owner, name, scopes, created_at, expires_at, revoked_at, last_used_at, last_used_address"
    /// `columns` of the table aliased `t`, for a join.
    static let qualifiedColumns = columns.split(separator: ", ").map { "t." + $0 }.joined(separator: ", ")

    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func insert(_ token: PersonalAccessToken, valueHash: [UInt8]) async throws {
        try await database.transaction { connection in
            try await lockOwner(token.owner, on: connection)
            let live = try await connection.query("""
                SELECT count(*) FROM personal_access_token
                WHERE owner = \(token.owner) AND name = \(token.name) AND revoked_at IS NULL
                  AND (expires_at IS NULL OR expires_at > \(token.createdAt))
                """, logger: database.logger).column(Int64.self).first ?? 0
            guard live == 0 else {
                throw PATError(.duplicateName, "a live token named '\(token.name)' already exists")
            }
            try await insertRow(token, valueHash: valueHash, on: connection)
        }
    }

    public func find(valueHash: [UInt8]) async throws -> PersonalAccessToken? {
        try await tokens("""
            SELECT \(unescaped: Self.columns) FROM personal_access_token WHERE value_hash = \(ByteBuffer(bytes: valueHash))
            """).first
    }

    public func findWithOwner(valueHash: [UInt8]) async throws -> (token: PersonalAccessToken, ownerDisabled: Bool)? {
        let rows = try await database.query("""
            SELECT \(unescaped: Self.qualifiedColumns), COALESCE(u.disabled, false) FROM personal_access_token t
            LEFT JOIN users u ON u.username = t.owner WHERE t.value_hash = \(ByteBuffer(bytes: valueHash))
            """)
        for try await (id, owner, name, scopes, created, expires, revoked, used, address, disabled)
            in rows.decode((String, String, String, [String], Int64, Int64?, Int64?, Int64?, String?, Bool).self) {
            let token = PersonalAccessToken(id: id, owner: owner, name: name, scopes: scopes, createdAt: created,
                                            expiresAt: expires, revokedAt: revoked, lastUsedAt: used, lastUsedAddress: address)
            return (token, disabled)
        }
        return nil
    }

    public func find(id: String) async throws -> PersonalAccessToken? {
        try await tokens("SELECT \(unescaped: Self.columns) FROM personal_access_token WHERE id = \(id)").first
    }

    public func list(owner: String) async throws -> [PersonalAccessToken] {
        try await tokens("""
            SELECT \(unescaped: Self.columns) FROM personal_access_token WHERE owner = \(owner) ORDER BY created_at, id
            """)
    }

    public func revoke(id: String, at time: Int64) async throws -> Bool {
        let rows = try await database.query("""
            UPDATE personal_access_token SET revoked_at = COALESCE(revoked_at, \(time)) WHERE id = \(id) RETURNING id
            """)
        return try await !rows.column(String.self).isEmpty
    }

    public func rotate(oldID: String, replacement: PersonalAccessToken, valueHash: [UInt8], at time: Int64) async throws {
        try await database.transaction { connection in
            try await lockOwner(replacement.owner, on: connection)
            let revoked = try await connection.query("""
                UPDATE personal_access_token SET revoked_at = \(time)
                WHERE id = \(oldID) AND owner = \(replacement.owner) AND revoked_at IS NULL
                  AND (expires_at IS NULL OR expires_at > \(time))
                RETURNING id
                """, logger: database.logger).column(String.self)
            guard !revoked.isEmpty else { throw PATError(.notFound, "no active token with that id") }
            try await insertRow(replacement, valueHash: valueHash, on: connection)
        }
    }

    /// The whole batch (up to thousands of uses, `UsageQueue`) in two statements, whatever its
    /// size. The rows are locked first, in id order, so that replicas recording uses of the same
    /// PATs take their locks in one order whatever plan the update gets, and do not deadlock each
    /// other; then one `UPDATE … FROM unnest(…)` writes them. An address travels with a flag, as
    /// PostgresNIO encodes no array with null elements.
    public func markUsed(_ uses: [PATUse]) async throws {
        guard !uses.isEmpty else { return }
        let ids = uses.map(\.id), times = uses.map(\.time)
        let addresses = uses.map { $0.address ?? "" }, hasAddress = uses.map { $0.address != nil }
        let logger = database.logger
        try await database.transaction { connection in
            let locked = try await connection.query("""
                SELECT id FROM personal_access_token WHERE id = ANY(\(ids)::text[]) ORDER BY id FOR UPDATE
                """, logger: logger)
            for try await _ in locked {}
            try await connection.query("""
                UPDATE personal_access_token AS t
                SET last_used_at = u.time, last_used_address = CASE WHEN u.has_address THEN u.address END
                FROM unnest(\(ids)::text[], \(times)::bigint[], \(addresses)::text[], \(hasAddress)::boolean[])
                    AS u(id, time, address, has_address)
                WHERE t.id = u.id
                """, logger: logger)
        }
    }

    /// Answers within five seconds or throws, so `/readyz` reports a lost database promptly.
    public func ping() async throws {
        let database = database
        _ = try await Deadline.run(after: .seconds(5)) {
            try await database.query("SELECT 1").column(Int32.self)
        }
    }

    func lockOwner(_ owner: String, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.ownerLockSpace), hashtext(\(owner)))",
                                   logger: database.logger)
    }

    private func insertRow(_ token: PersonalAccessToken, valueHash: [UInt8], on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO personal_access_token (id, owner, name, scopes, value_hash, created_at, expires_at)
            VALUES (\(token.id), \(token.owner), \(token.name), \(token.scopes), \(ByteBuffer(bytes: valueHash)),
                    \(token.createdAt), \(token.expiresAt))
            """, logger: database.logger)
    }
}
