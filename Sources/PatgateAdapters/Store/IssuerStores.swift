import Logging
import PatgateCore
import ServiceLifecycle

/// The issuer's persistence: its ports over one database, and what keeps that database open.
///
/// Open one with `sqlite(path:)` or `postgres(_:logger:)`. PostgreSQL's pool serves while
/// `services` run (in the server's `ServiceGroup`) or within `withRunning(_:)` (the CLI,
/// tests); SQLite needs neither.
public struct IssuerStores: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case sqlite, postgres
    }

    public let kind: Kind
    public let pats: any PATStore
    public let users: any UserStore
    public let sessions: any SessionStore
    /// The revocations recorded in the store, in commit order (the revocation watcher's source).
    public let revocations: any RevocationSource
    /// What must run for the stores to answer (PostgreSQL's pool); empty for SQLite.
    public let database: PostgresDatabase?
    /// Where PostgreSQL is, for the revocation listener's connection of its own.
    let postgresSettings: PostgresSettings?

    public init(kind: Kind, pats: any PATStore & RevocationSource, users: any UserStore, sessions: any SessionStore,
                database: PostgresDatabase? = nil, postgresSettings: PostgresSettings? = nil) {
        self.kind = kind
        self.pats = pats
        self.revocations = pats
        self.users = users
        self.sessions = sessions
        self.database = database
        self.postgresSettings = postgresSettings
    }

    /// The long-running pieces the composition root adds to its `ServiceGroup`.
    public var services: [any Service] { database.map { [$0] } ?? [] }

    /// Opens (creating if needed) the SQLite file and runs its pending migrations.
    public static func sqlite(path: String) throws -> IssuerStores {
        let database = try SQLiteDatabase(path: path)
        return IssuerStores(kind: .sqlite, pats: SQLitePATStore(database: database),
                            users: SQLiteUserStore(database: database), sessions: SQLiteSessionStore(database: database))
    }

    /// Connects to PostgreSQL and runs its pending migrations.
    public static func postgres(_ settings: PostgresSettings, logger: Logger,
                                maximumConnections: Int = 20) async throws(PostgresStoreError) -> IssuerStores {
        let database = try await PostgresDatabase.open(settings, logger: logger, maximumConnections: maximumConnections)
        return IssuerStores(kind: .postgres, pats: PostgresPATStore(database: database),
                            users: PostgresUserStore(database: database),
                            sessions: PostgresSessionStore(database: database), database: database,
                            postgresSettings: settings)
    }

    /// What wakes `watcher` when another process revokes: PostgreSQL's `LISTEN/NOTIFY`; `nil`
    /// for SQLite, which has no such channel (the watcher's polling is the channel there).
    public func revocationListener(waking watcher: RevocationWatcher, logger: Logger) -> PostgresRevocationListener? {
        postgresSettings.map { PostgresRevocationListener(settings: $0, watcher: watcher, logger: logger) }
    }

    /// The login throttle for these stores: in PostgreSQL, so that the fleet on one database
    /// counts failures together; in memory for SQLite, which one process serves (the CLI does
    /// not log in).
    public func loginThrottle(_ settings: LoginThrottle.Settings) -> any LoginThrottling {
        database.map { PostgresLoginThrottle(database: $0, settings: settings) } ?? LoginThrottle(settings: settings)
    }

    /// Runs `body` with the stores answering, then closes PostgreSQL's connections (once).
    public func withRunning<Result>(_ body: () async throws -> Result) async throws -> Result {
        guard let database else { return try await body() }
        return try await database.withRunning(body)
    }
}
