import PatgateAdapters
import PatgateCore

/// The issuer's persistence: PATs, users and sessions in one database. The one place
/// that chooses the store implementation.
public struct Stores: Sendable {
    public let pats: any PATStore
    public let users: any UserStore
    public let sessions: any SessionStore

    public init(pats: any PATStore, users: any UserStore, sessions: any SessionStore) {
        self.pats = pats
        self.users = users
        self.sessions = sessions
    }

    /// Opens the SQLite file of `store.sqlite_path` (creating it and migrating as needed).
    public static func open(_ config: PatgateConfig.Issuer) throws -> Stores {
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: config.sqlitePath)
        } catch {
            throw ConfigError(["store.sqlite_path: cannot open \(config.sqlitePath): \(error)"])
        }
        return Stores(pats: SQLitePATStore(database: database), users: SQLiteUserStore(database: database),
                      sessions: SQLiteSessionStore(database: database))
    }
}
