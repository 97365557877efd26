import Foundation
import GRDB
import PatgateTelemetry

/// The issuer's SQLite file (WAL, `synchronous=FULL`: an acknowledged write survives a
/// crash), opened once and shared by the PAT, user and session stores.
///
/// GRDB runs every statement on its own queues, never on the caller's event loop.
public final class SQLiteDatabase: Sendable {
    let pool: DatabasePool

    /// Opens (creating if needed) the file and runs pending migrations. The file is created
    /// 0600 before SQLite opens it (it holds password hashes, PAT HMACs and sessions); SQLite
    /// gives its `-wal` and `-shm` files the database file's mode. Files an older version made
    /// 0644 are narrowed to 0600.
    public init(path: String) throws {
        Self.restrictPermissions(path)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Statement durations for `patgate_db_operation_duration_seconds`, only with metrics on.
            if Meters.isEnabled { db.trace(options: .profile, Self.meter) }
        }
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try SQLiteMigrations.migrator.migrate(pool)
    }

    private static func meter(_ event: Database.TraceEvent) {
        guard case .profile(let statement, let duration) = event else { return }
        let operation = statement.sql.utf8.starts(with: "SELECT".utf8) ? "read" : "write"
        Meters.database("sqlite", operation: operation, nanoseconds: Int64(duration * 1_000_000_000))
    }

    private static func restrictPermissions(_ path: String) {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            chmod(file, 0o600)
        }
    }
}
