/// A local account of the built-in issuer (the console's and the CLI's users).
public struct User: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable { case user, admin }

    public var username: String
    public var displayName: String
    public var role: Role
    public var disabled: Bool
    /// bcrypt; never leaves the store layer except to be verified.
    public var passwordHash: String
    public var createdAt: Int64

    public init(username: String, displayName: String, role: Role, disabled: Bool = false,
                passwordHash: String, createdAt: Int64) {
        self.username = username
        self.displayName = displayName
        self.role = role
        self.disabled = disabled
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// Persistence of users (a port: SQLite and PostgreSQL implement it).
public protocol UserStore: Sendable {
    /// Throws `UserError(.duplicate)` when the username exists.
    func insert(_ user: User) async throws
    func find(username: String) async throws -> User?
    func list() async throws -> [User]
    /// Replaces display name, role, disabled flag and password hash; `false` if unknown.
    func update(_ user: User) async throws -> Bool
    func count() async throws -> Int
}

/// Why a user operation was refused; safe to show.
public struct UserError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case duplicate, notFound = "not_found", invalid
        /// The change is well-formed but the accounts' current state forbids it.
        case lastAdministrator = "last_administrator"
    }
    public let code: Code
    public let description: String
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
