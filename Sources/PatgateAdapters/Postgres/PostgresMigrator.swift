import PatgateCore
import PostgresNIO

/// Applies pending `PostgresMigrations` in one transaction under a transaction-scoped advisory
/// lock, so replicas starting together migrate once: the others wait for the lock, then find
/// every version recorded. A version this binary does not know (a newer replica migrated) is
/// left alone.
struct PostgresMigrator {
    /// "patgate1" as a big-endian 64-bit key; the owner locks use the two-key space, which
    /// PostgreSQL keeps apart from this one.
    static let lockKey: Int64 = 0x7061_7467_6174_6531

    let database: PostgresDatabase

    /// Returns the versions applied by this call (empty when the schema was current).
    @discardableResult
    func migrate(_ migrations: [PostgresMigrations.Migration] = PostgresMigrations.all,
                 now: @escaping @Sendable () -> Int64 = UnixTime.now) async throws -> [String] {
        try await database.transaction { connection in
            let logger = database.logger
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at bigint NOT NULL)
                """, logger: logger)
            var applied: Set<String> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
                .decode(String.self) {
                applied.insert(version)
            }
            var done: [String] = []
            for migration in migrations where !applied.contains(migration.version) {
                do {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), \(now()))",
                        logger: logger)
                } catch {
                    throw PostgresStoreError(.migration, "migration \(migration.version) failed: \(PostgresStoreError.reason(error))")
                }
                done.append(migration.version)
            }
            if !done.isEmpty {
                logger.info("postgres schema migrated", metadata: ["versions": "\(done.joined(separator: ","))"])
            }
            return done
        }
    }
}
