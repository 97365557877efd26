import GRDB

/// The issuer's SQLite file (WAL, `synchronous=FULL`: an acknowledged write survives a
/// crash), opened once and shared by the PAT, user and session stores.
///
/// GRDB runs every statement on its own queues, never on the caller's event loop.
public final class SQLiteDatabase: Sendable {
    let pool: DatabasePool

    /// Opens (creating if needed) the file and runs pending migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try SQLiteMigrations.migrator.migrate(pool)
    }
}
