import Logging
import PatgateTelemetry
import PostgresNIO
import ServiceLifecycle

/// A pool of PostgreSQL connections (postgres-nio's `PostgresClient`) with the schema migrated.
///
/// The pool is a `Service`: it serves queries while its `run()` runs, in the composition
/// root's `ServiceGroup`, which stops it after the HTTP server and the usage recorder
/// (docs/ARCHITECTURE.md, "Lifecycle"). The CLI and tests, which have no group, use
/// `withRunning(_:)`. Either runs a pool once. Work runs on NIO's event loops, never on the
/// caller's. Several replicas may open the same database at once (see `PostgresMigrator`).
public final class PostgresDatabase: Service {
    let client: PostgresClient
    let logger: Logger
    /// Where the database is, without the password.
    public let settings: String

    private init(client: PostgresClient, logger: Logger, settings: String) {
        self.client = client
        self.logger = logger
        self.settings = settings
    }

    /// Serves queries until the group stops (gracefully or by cancellation), then closes
    /// every connection; queries made later fail.
    public func run() async {
        await client.run()
    }

    /// Runs the pool for the duration of `body`, then closes its connections, also when
    /// `body` throws.
    public func withRunning<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Connects, applies pending migrations (over a pool of one connection that is closed
    /// again), and returns the pool, which serves once it runs. Throws `.unavailable` when a
    /// first, direct connection fails or takes longer than `connectTimeout`, with the
    /// server's reason; `.migration` when a migration fails.
    public static func open(_ settings: PostgresSettings, logger: Logger, maximumConnections: Int = 20,
                            connectTimeout: Duration = .seconds(10)) async throws(PostgresStoreError) -> PostgresDatabase {
        do {
            // Bound only the first connection: a migration may wait for another replica's.
            try await Deadline.run(after: connectTimeout) { try await settings.probe(logger: logger) }
            let migrating = connect(settings, logger: logger, maximumConnections: 1, connectTimeout: connectTimeout)
            try await migrating.withRunning { try await PostgresMigrator(database: migrating).migrate() }
        } catch {
            if let own = error as? PostgresStoreError, own.code != .unavailable { throw own }
            throw PostgresStoreError(.unavailable, "cannot use \(settings): \(PostgresStoreError.reason(error))")
        }
        return connect(settings, logger: logger, maximumConnections: maximumConnections, connectTimeout: connectTimeout)
    }

    /// A pool that connects on first use, without probing or migrating: for a server that
    /// holds none of patgate's tables and may be down at start-up (the credentials provider's).
    /// Callers bound each operation with `Deadline`, as the pool keeps retrying a connection.
    /// `sessionTimeout` also bounds the work on the server: every connection starts with it as
    /// `statement_timeout`, `lock_timeout` and `idle_in_transaction_session_timeout`, so a
    /// statement waiting on a lock, or a transaction whose client went away, ends by itself.
    public static func connect(_ settings: PostgresSettings, logger: Logger, maximumConnections: Int = 4,
                               connectTimeout: Duration = .seconds(10),
                               sessionTimeout: Duration? = nil) -> PostgresDatabase {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username,
            password: settings.password, database: settings.database, tls: tls(settings.tls))
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.additionalStartupParameters = settings.startupParameters
            + (sessionTimeout.map(timeoutParameters) ?? [])
        return PostgresDatabase(client: PostgresClient(configuration: configuration, backgroundLogger: logger),
                                logger: logger, settings: settings.description)
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled
    /// back when it throws, whose error is rethrown unchanged (a `PATError` stays one).
    /// `leased` learns the connection, so a deadline can close it.
    func transaction<Result: Sendable>(leased: LeasedConnection? = nil,
                                       _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await observed("transaction") { try await client.withConnection { connection in
            leased?.hold(connection)
            try await connection.query("BEGIN", logger: logger)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        } }
    }

    /// One statement outside an explicit transaction.
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await observed("query") { try await client.query(query, logger: logger) }
    }

    /// Times `body` as one database `operation`, counts the connection it holds, and traces it.
    private func observed<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        let started = Meters.start()
        let span = Tracing.start("postgres \(operation)", kind: .client)
        Meters.databaseInUse("postgres", delta: 1)
        defer {
            Meters.databaseInUse("postgres", delta: -1)
            Meters.database("postgres", operation: operation, nanoseconds: Meters.nanoseconds(since: started))
            span?.end()
        }
        return try await body()
    }

    /// Session settings (startup parameters) that end a statement, a lock wait or an idle
    /// transaction after `timeout`, in whole milliseconds (at least 1: 0 would disable them).
    private static func timeoutParameters(_ timeout: Duration) -> [(String, String)] {
        let milliseconds = max(1, timeout.components.seconds * 1_000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return ["statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"].map { ($0, String(milliseconds)) }
    }

    private static func tls(_ mode: PostgresSettings.TLSMode) -> PostgresClient.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(unverified)
        case .require: return .require(unverified)
        case .verifyFull: return .require(.makeClientConfiguration())
        }
    }
}
