import GRDB
import PatgateCore

/// Local accounts in the issuer's SQLite file (table `app_user`).
public final class SQLiteUserStore: UserStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func insert(_ user: User) async throws {
        try await database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM app_user WHERE username = ?", arguments: [user.username]) == 0 else {
                throw UserError(.duplicate, "a user named '\(user.username)' already exists")
            }
            try db.execute(sql: """
                INSERT INTO app_user (username, display_name, role, disabled, password_hash, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [user.username, user.displayName, user.role.rawValue, user.disabled, user.passwordHash, user.createdAt])
        }
    }

    public func find(username: String) async throws -> User? {
        // Every console request and minted-token check runs this.
        try await database.lookup { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM app_user WHERE username = ?"),
                             arguments: [username]).map(Self.user)
        }
    }

    public func list() async throws -> [User] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM app_user ORDER BY username").map(Self.user)
        }
    }

    public func update(_ user: User) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: """
                UPDATE app_user SET display_name = ?, role = ?, disabled = ?, password_hash = ? WHERE username = ?
                """, arguments: [user.displayName, user.role.rawValue, user.disabled, user.passwordHash, user.username])
            return db.changesCount == 1
        }
    }

    public func count() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM app_user") ?? 0 }
    }

    private static func user(_ row: Row) -> User {
        User(username: row["username"], displayName: row["display_name"],
             role: User.Role(rawValue: row["role"]) ?? .user, disabled: row["disabled"],
             passwordHash: row["password_hash"], createdAt: row["created_at"])
    }
}
