import GRDB
import Synchronization

/// Read-only connections kept for the one-statement lookups every introspection runs
/// (`SQLitePATStore.findWithOwner`). A lookup takes an idle connection and runs on the calling
/// read thread, straight through: GRDB's reader pool would add its semaphore and lock and a
/// `PRAGMA schema_version` query before every read, about half the lookup's cost
/// (BENCHMARKS.md, "Issue 14", session 21).
///
/// There is no schema check because the schema changes only in migrations, which
/// `SQLiteDatabase` runs before any read, and SQLite re-prepares a statement whose schema
/// changed anyway. A connection is made the first time every kept one is busy, so there are
/// never more than the read threads (`SQLiteDatabase.readThreads`).
final class SQLiteLookupConnections: Sendable {
    private let path: String
    private let configuration: Configuration
    private let idle = Mutex<[DatabaseQueue]>([])

    init(path: String) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        configuration.label = "patgate.lookup"
        self.configuration = configuration
    }

    /// Runs `body` on a connection of its own, on the calling thread, outside any transaction
    /// (one statement is atomic by itself).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? DatabaseQueue(path: path, configuration: configuration)
        defer { idle.withLock { $0.append(connection) } }
        return try connection.inDatabase(body)
    }
}
