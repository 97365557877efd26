import Foundation
import Logging
import PatgateTestSupport
import Testing
@testable import PatgateAdapters
import PostgresNIO

/// The PostgreSQL server of `PATGATE_TEST_POSTGRES_URL`: each test creates its own schema in
/// that database (cheap, unlike a database per test) and drops it afterwards, so tests run
/// in parallel without seeing each other's tables.
enum PostgresTestDatabase {
    static let url: String? = TestEnvironment.postgresURL
    static var isConfigured: Bool { url != nil }
    static let skipNote: Comment = "PATGATE_TEST_POSTGRES_URL is not set: the PostgreSQL store tests did not run (scripts/test sets it)"

    static let logger: Logger = TestEnvironment.quietLogger("patgate-test-postgres")

    struct NotConfigured: Error {}

    static func adminSettings() throws -> PostgresSettings {
        guard let url else { throw NotConfigured() }
        return try PostgresSettings(url: url)
    }

    /// Creates schema `patgate_test_<random>`, runs `body` with settings whose search path is
    /// that schema, and drops it with everything in it.
    static func withFreshSchema<Result: Sendable>(_ body: (PostgresSettings) async throws -> Result) async throws -> Result {
        let admin = try adminSettings()
        let name = "patgate_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // `name` is generated here, never input: identifiers cannot be bound parameters.
        try await execute("CREATE SCHEMA \(name)", on: admin)
        let result: Result
        do {
            result = try await body(admin.with(searchPath: name))
        } catch {
            try? await execute("DROP SCHEMA IF EXISTS \(name) CASCADE", on: admin)
            throw error
        }
        try await execute("DROP SCHEMA IF EXISTS \(name) CASCADE", on: admin)
        return result
    }

    /// One statement on its own connection.
    static func execute(_ sql: String, on settings: PostgresSettings) async throws {
        let connection = try await connect(settings)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// The first column of `sql`'s rows, as text.
    static func strings(_ sql: String, on settings: PostgresSettings) async throws -> [String] {
        let connection = try await connect(settings)
        var values: [String] = []
        do {
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self) {
                values.append(value)
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return values
    }

    static func connect(_ settings: PostgresSettings) async throws -> PostgresConnection {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresConnection.Configuration.TLS = settings.tls == .disable ? .disable : .prefer(try NIOSSLContext(configuration: unverified))
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username,
            password: settings.password, database: settings.database, tls: tls)
        configuration.options.additionalStartupParameters = settings.startupParameters
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }
}
