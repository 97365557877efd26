import Logging
import PatgateCore

/// The issuer's persistence: its ports over one database, and that database's lifetime.
///
/// Open one with `sqlite(path:)` or `postgres(_:logger:)`; call `shutdown()` when done (it
/// closes PostgreSQL's connections; SQLite needs nothing).
public struct IssuerStores: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case sqlite, postgres
    }

    public let kind: Kind
    public let pats: any PATStore
    public let users: any UserStore
    public let sessions: any SessionStore
    private let close: @Sendable () async -> Void

    public init(kind: Kind, pats: any PATStore, users: any UserStore, sessions: any SessionStore,
                close: @escaping @Sendable () async -> Void = {}) {
        self.kind = kind
        self.pats = pats
        self.users = users
        self.sessions = sessions
        self.close = close
    }

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
                            sessions: PostgresSessionStore(database: database),
                            close: { await database.shutdown() })
    }

    /// Releases the database; the stores fail afterwards.
    public func shutdown() async {
        await close()
    }
}
