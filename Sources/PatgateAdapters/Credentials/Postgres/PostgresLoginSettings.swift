/// `credentials.postgres.*`: where the temporary logins are made and what they may do.
public struct PostgresLoginSettings: Sendable {
    /// `admin_url` (a secret): a role with CREATEROLE, ADMIN OPTION on every role in `roles`
    /// and `pg_signal_backend` (to end an expired login's sessions).
    public var admin: PostgresSettings
    /// `roles`: the roles each login becomes a member of (and so inherits the privileges of).
    public var roles: [String]
    /// `host`, `port`, `database`: what clients connect to; default: the admin URL's.
    public var host: String
    public var port: Int
    public var database: String
    /// `name_prefix`: the start of every login's name; the reaper only looks at such roles.
    public var namePrefix: String
    /// `reuse_margin_seconds`: a user's login is handed out again while more than this many
    /// seconds of it remain; `nil`: a new login for every exchange.
    public var reuseMargin: Int64?
    /// `reap_interval_seconds`: how often expired logins are dropped; 0: never in the background.
    public var reapInterval: Int64
    /// `timeout_seconds`: the bound on each database operation (connect and statements).
    public var timeout: Int64

    public static let defaultPrefix = "patgate_"

    public init(admin: PostgresSettings, roles: [String], host: String? = nil, port: Int? = nil,
                database: String? = nil, namePrefix: String = defaultPrefix, reuseMargin: Int64? = nil,
                reapInterval: Int64 = 60, timeout: Int64 = 5) {
        self.admin = admin
        self.roles = roles
        self.host = host ?? admin.host
        self.port = port ?? admin.port
        self.database = database ?? admin.database
        self.namePrefix = namePrefix
        self.reuseMargin = reuseMargin
        self.reapInterval = reapInterval
        self.timeout = timeout
    }

    /// Why `name_prefix` is unusable, or `nil`: 1 to 24 bytes of a-z, 0-9 and _, not starting
    /// with a digit or `pg_` (reserved by PostgreSQL), so a login name is a plain identifier.
    public static func prefixProblem(_ prefix: String) -> String? {
        guard prefix.utf8.count <= PostgresRoleName.maxPrefixBytes, PostgresSettings.isPlainIdentifier(prefix) else {
            return "must be 1 to \(PostgresRoleName.maxPrefixBytes) characters of a-z, 0-9 and _, not starting with a digit"
        }
        return prefix.hasPrefix("pg_") ? "must not start with pg_ (reserved by PostgreSQL)" : nil
    }

    /// Why a role in `roles` is unusable, or `nil`. Any name PostgreSQL allows is quoted
    /// correctly; only what cannot be a role name is refused.
    public static func roleProblem(_ role: String) -> String? {
        if role.isEmpty || role.utf8.count > 63 { return "'\(role)' must be 1 to 63 bytes long" }
        if role.utf8.contains(0) { return "a role name cannot contain a NUL byte" }
        return nil
    }
}
