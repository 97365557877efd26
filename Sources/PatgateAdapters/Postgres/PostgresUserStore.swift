import PatgateCore
import PostgresNIO

/// The issuer's local users in PostgreSQL (table `users`).
public struct PostgresUserStore: UserStore {
    static let columns = "username, display_name, role, disabled, password_hash, created_at"
    typealias Row = (String, String, String, Bool, String, Int64)

    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    /// Race-free: the primary key decides, and a conflict inserts nothing.
    public func insert(_ user: User) async throws {
        let inserted = try await database.query("""
            INSERT INTO users (username, display_name, role, disabled, password_hash, created_at)
            VALUES (\(user.username), \(user.displayName), \(user.role.rawValue), \(user.disabled),
                    \(user.passwordHash), \(user.createdAt))
            ON CONFLICT (username) DO NOTHING
            RETURNING username
            """).column(String.self)
        guard !inserted.isEmpty else {
            throw UserError(.duplicate, "a user named '\(user.username)' already exists")
        }
    }

    public func find(username: String) async throws -> User? {
        try await users("SELECT \(unescaped: Self.columns) FROM users WHERE username = \(username)").first
    }

    public func list() async throws -> [User] {
        try await users("SELECT \(unescaped: Self.columns) FROM users ORDER BY username")
    }

    public func update(_ user: User) async throws -> Bool {
        try await !database.query("""
            UPDATE users SET display_name = \(user.displayName), role = \(user.role.rawValue),
                             disabled = \(user.disabled), password_hash = \(user.passwordHash)
            WHERE username = \(user.username)
            RETURNING username
            """).column(String.self).isEmpty
    }

    public func count() async throws -> Int {
        Int(try await database.query("SELECT count(*) FROM users").column(Int64.self).first ?? 0)
    }

    private func users(_ query: PostgresQuery) async throws -> [User] {
        var users: [User] = []
        for try await row in try await database.query(query).decode(Row.self) {
            guard let role = User.Role(rawValue: row.2) else {
                throw PostgresStoreError(.corruptRow, "user '\(row.0)' has an unknown role '\(row.2)'")
            }
            users.append(User(username: row.0, displayName: row.1, role: role, disabled: row.3,
                              passwordHash: row.4, createdAt: row.5))
        }
        return users
    }
}
