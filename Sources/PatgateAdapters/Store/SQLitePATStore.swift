import Foundation
import GRDB
import PatgateCore

/// PATs in the issuer's SQLite file (see `SQLiteDatabase`).
public final class SQLitePATStore: PATStore {
    let database: SQLiteDatabase

    /// Shares an open database with the other stores.
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func insert(_ token: PersonalAccessToken, valueHash: [UInt8]) async throws {
        try await database.write { db in
            let live = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM personal_access_token
                WHERE owner = ? AND name = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                """, arguments: [token.owner, token.name, token.createdAt]) ?? 0
            guard live == 0 else {
                throw PATError(.duplicateName, "a live token named '\(token.name)' already exists")
            }
            try db.execute(sql: """
                INSERT INTO personal_access_token (id, owner, name, scopes, value_hash, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [token.id, token.owner, token.name, ScopeList.join(token.scopes),
                                 Data(valueHash), token.createdAt, token.expiresAt])
        }
    }

    public func find(valueHash: [UInt8]) async throws -> PersonalAccessToken? {
        try await database.lookup { db in
            try Self.first(db.cachedStatement(sql: Self.findByHash), [Data(valueHash)], Self.token)
        }
    }

    public func findWithOwner(valueHash: [UInt8]) async throws -> (token: PersonalAccessToken, ownerDisabled: Bool)? {
        // Every introspection runs this.
        try await database.lookup { db in
            try Self.first(db.cachedStatement(sql: Self.findWithOwnerByHash), [Data(valueHash)]) { columns in
                (try Self.token(columns), try columns.required(Self.columnCount) as Bool)
            }
        }
    }

    public func find(id: String) async throws -> PersonalAccessToken? {
        try await database.read { db in
            try Self.first(db.cachedStatement(sql: "SELECT \(Self.columns) FROM personal_access_token WHERE id = ?"), [id], Self.token)
        }
    }

    public func list(owner: String) async throws -> [PersonalAccessToken] {
        try await database.read { db in
            try StatementColumns.rows(
                db.cachedStatement(sql: "SELECT \(Self.columns) FROM personal_access_token WHERE owner = ? ORDER BY created_at, id"),
                [owner], Self.token)
        }
    }

    public func revoke(id: String, at time: Int64) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "UPDATE personal_access_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [time, id])
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM personal_access_token WHERE id = ?", arguments: [id]) == 1
        }
    }

    public func page(_ query: PATQuery) async throws -> PATPage {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let owner = query.owner {
            conditions.append("owner = ?")
            _ = arguments.append(contentsOf: [owner])
        }
        switch query.state {
        case .active?:
            conditions.append("revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)")
            _ = arguments.append(contentsOf: [query.now])
        case .expired?:
            conditions.append("revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?")
            _ = arguments.append(contentsOf: [query.now])
        case .revoked?:
            conditions.append("revoked_at IS NOT NULL")
        case nil:
            break
        }
        if let cursor = query.cursor.flatMap(PATCursor.init(encoded:)) {
            conditions.append("(created_at < ? OR (created_at = ? AND id < ?))")
            _ = arguments.append(contentsOf: [cursor.createdAt, cursor.createdAt, cursor.id])
        }
        let limit = max(1, min(query.limit, 500))
        let sql = "SELECT \(Self.columns) FROM personal_access_token"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)"
        let bound = arguments
        let rows = try await database.read { db in try StatementColumns.rows(db.makeStatement(sql: sql), bound, Self.token) }
        return PATPage(lookahead: rows, limit: limit)
    }

    public func rotate(oldID: String, replacement: PersonalAccessToken, valueHash: [UInt8], at time: Int64) async throws {
        try await database.write { db in
            try db.execute(sql: """
                UPDATE personal_access_token SET revoked_at = ?
                WHERE id = ? AND owner = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                """, arguments: [time, oldID, replacement.owner, time])
            guard db.changesCount == 1 else { throw PATError(.notFound, "no active token with that id") }
            try db.execute(sql: """
                INSERT INTO personal_access_token (id, owner, name, scopes, value_hash, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [replacement.id, replacement.owner, replacement.name, ScopeList.join(replacement.scopes),
                                 Data(valueHash), replacement.createdAt, replacement.expiresAt])
        }
    }

    public func markUsed(_ uses: [PATUse]) async throws {
        guard !uses.isEmpty else { return }
        try await database.write { db in
            let update = try db.cachedStatement(sql: "UPDATE personal_access_token SET last_used_at = ?, last_used_address = ? WHERE id = ?")
            for use in uses {
                try update.execute(arguments: [use.time, use.address, use.id])
            }
        }
    }

    public func ping() async throws {
        _ = try await database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// The columns `token(_:)` reads, in its order, by position (`StatementColumns`; every
    /// introspection reads one token). `id` comes first, as `StatementColumns` needs.
    private static let columnNames = ["id", "owner", "name", "scopes", "created_at", "expires_at", "revoked_at",
                                      "last_used_at", "last_used_address"]
    private static let columns = columnNames.joined(separator: ", ")
    /// The position of the first column after the token's.
    private static let columnCount = columnNames.count

    private static let findByHash = "SELECT \(columns) FROM personal_access_token WHERE value_hash = ?"
    private static let findWithOwnerByHash = """
        SELECT \(columnNames.map { "t." + $0 }.joined(separator: ", ")), COALESCE(u.disabled, 0)
        FROM personal_access_token t LEFT JOIN app_user u ON u.username = t.owner WHERE t.value_hash = ?
        """

    /// The first row `statement` finds for `arguments`, decoded straight from the statement.
    private static func first<T>(_ statement: Statement, _ arguments: StatementArguments,
                                 _ decode: (StatementColumns) throws -> T) throws -> T? {
        try StatementColumns.rows(statement, arguments, limit: 1, decode).first
    }

    private static func token(_ columns: StatementColumns) throws -> PersonalAccessToken {
        PersonalAccessToken(
            id: try columns.required(0), owner: try columns.required(1), name: try columns.required(2),
            scopes: ScopeList.lenientSplit(try columns.required(3)), createdAt: try columns.required(4),
            expiresAt: columns[5], revokedAt: columns[6], lastUsedAt: columns[7], lastUsedAddress: columns[8])
    }
}
