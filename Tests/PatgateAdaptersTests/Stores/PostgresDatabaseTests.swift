import Testing
@testable import PatgateAdapters

/// What only PostgreSQL has: the server, migrations shared by replicas, connection errors.
@Suite struct PostgresDatabaseTests {
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipNote))
    func theTestServerAnswers() async throws {
        let version = try await PostgresTestDatabase.strings("SELECT version()", on: PostgresTestDatabase.adminSettings())
        #expect(version.first?.hasPrefix("PostgreSQL") == true)
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipNote))
    func replicasStartingTogetherMigrateOnceAndASecondStartAppliesNothing() async throws {
        try await PostgresTestDatabase.withFreshSchema { settings in
            _ = try await withThrowingTaskGroup(of: IssuerStores.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await IssuerStores.postgres(settings, logger: PostgresTestDatabase.logger, maximumConnections: 2) }
                }
                return try await group.reduce(into: [IssuerStores]()) { $0.append($1) }
            }
            let versions = try await PostgresTestDatabase.strings("SELECT version FROM schema_migrations ORDER BY version", on: settings)
            #expect(versions == PostgresMigrations.all.map(\.version))

            let database = try await PostgresDatabase.open(settings, logger: PostgresTestDatabase.logger)
            let applied = try await database.withRunning { try await PostgresMigrator(database: database).migrate() }
            #expect(applied == [])
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipNote))
    func aFailingMigrationAppliesNothingOfItsRun() async throws {
        try await PostgresTestDatabase.withFreshSchema { settings in
            let database = try await PostgresDatabase.open(settings, logger: PostgresTestDatabase.logger)
            let broken = PostgresMigrations.all + [
                .init(version: "9001_good", statements: ["CREATE TABLE later_good (x int)"]),
                .init(version: "9002_bad", statements: ["CREATE TABLE later_bad (x no_such_type)"]),
            ]
            let error = await #expect(throws: PostgresStoreError.self) {
                try await database.withRunning { try await PostgresMigrator(database: database).migrate(broken) }
            }
            #expect(error?.code == .migration)
            #expect(error?.description.contains("9002_bad") == true)
            let tables = try await PostgresTestDatabase.strings(
                "SELECT tablename::text FROM pg_tables WHERE tablename LIKE 'later_%' AND schemaname = current_schema()", on: settings)
            #expect(tables.isEmpty)
            let versions = try await PostgresTestDatabase.strings("SELECT version FROM schema_migrations", on: settings)
            #expect(versions.count == PostgresMigrations.all.count)
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipNote))
    func aWrongPasswordIsReportedWithoutThePassword() async throws {
        var settings = try PostgresTestDatabase.adminSettings()
        settings.password = "wrong-hunter2-password"
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresDatabase.open(settings, logger: PostgresTestDatabase.logger, connectTimeout: .seconds(5))
        }
        let text = error.map { "\($0) \(String(reflecting: $0))" } ?? ""
        #expect(error?.code == .unavailable)
        #expect(!text.contains("hunter2"))
        #expect(text.contains("password authentication failed"), "\(text)")
    }

    @Test func anUnreachableServerFailsWithinTheTimeout() async throws {
        let settings = PostgresSettings(host: "127.0.0.1", port: 1, username: "patgate", password: "hunter2-secret",
                                        database: "patgate", tls: .disable)
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresDatabase.open(settings, logger: PostgresTestDatabase.logger, connectTimeout: .seconds(2))
        }
        #expect(error?.code == .unavailable)
        #expect(error?.description.contains("hunter2") == false)
        #expect(clock.now - started < .seconds(10))
    }
}
