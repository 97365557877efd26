import Foundation
import GRDB
import NIOCore
import NIOPosix
import PatgateTelemetry

/// The issuer's SQLite file (WAL, `synchronous=FULL`: an acknowledged write survives a
/// crash), opened once and shared by the PAT, user and session stores.
///
/// No statement runs on the caller's event loop (invariant 6 in docs/ARCHITECTURE.md): reads
/// run GRDB's synchronous API on `readThreads`, writes on GRDB's writer queue. The stores
/// reach the file only through `read`, `lookup` and `write`, which time each operation for
/// `patgate_db_operation_duration_seconds{db="sqlite"}` (queue wait included, as for PostgreSQL).
public final class SQLiteDatabase: Sendable {
    private let pool: DatabasePool
    private let lookups: SQLiteLookupConnections

    /// The threads reads run on, shared by every database of the process and never stopped.
    /// One hand-off there and one back: GRDB's asynchronous read made two each way (its reader
    /// pool's semaphore queue, then the reader's own queue), each a thread woken, and a cache
    /// miss's `/introspect` paid them on every PAT (BENCHMARKS.md, "Issue 14", session 17).
    ///
    /// One thread per event loop (NIO runs one per core), at most four. A thread more than the
    /// loops keep busy sleeps between reads, and each read handed to a sleeping thread pays a
    /// futex wake and a context switch: on 2 cores, four threads cost a cache miss about 75 µs
    /// more CPU than two (BENCHMARKS.md, "Issue 14", session 18). Two or more keep one slow read
    /// (a console listing) from holding up every introspection.
    private static let readThreads: NIOThreadPool = {
        let count = min(max(System.coreCount, 2), 4)
        let threads = NIOThreadPool(numberOfThreads: count)
        threads.start()
        threads.yieldToEventLoops(threads: count)
        return threads
    }()

    /// Opens (creating if needed) the file and runs pending migrations. The file is created
    /// 0600 before SQLite opens it (it holds password hashes, PAT HMACs and sessions); SQLite
    /// gives its `-wal` and `-shm` files the database file's mode. Files an older version made
    /// 0644 are narrowed to 0600.
    public init(path: String) throws {
        Self.restrictPermissions(path)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try SQLiteMigrations.migrator.migrate(pool)
        lookups = SQLiteLookupConnections(path: path)
    }

    /// A read in a deferred transaction (a consistent snapshot across its statements).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await timed("read") { try await Self.readThreads.runIfActive { try self.pool.read(body) } }
    }

    /// A read of one statement, without a transaction around it (one statement is atomic), on a
    /// connection kept for the hot lookups (`SQLiteLookupConnections`).
    func lookup<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await timed("read") { try await Self.readThreads.runIfActive { try self.lookups.read(body) } }
    }

    /// A write in an immediate transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await timed("write") { try await pool.write(body) }
    }

    private func timed<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        let started = Meters.start()
        defer { Meters.database("sqlite", operation: operation, nanoseconds: Meters.nanoseconds(since: started)) }
        return try await body()
    }

    private static func restrictPermissions(_ path: String) {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            chmod(file, 0o600)
        }
    }
}
