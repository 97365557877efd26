import Foundation
import PatgateCore
import PatgateTestSupport
import PostgresNIO
import Testing
@testable import PatgateAdapters

/// The role of `PATGATE_TEST_POSTGRES_ADMIN_URL` (scripts/lib/postgres.sh makes it: CREATEROLE,
/// pg_signal_backend, ADMIN OPTION on `patgate_test_reader`, which may read
/// `patgate_test_readable` but not `patgate_test_secret`).
enum PostgresLoginTestSupport {
    static let url: String? = TestEnvironment.postgresAdminURL
    static var isConfigured: Bool { url != nil }
    static let skipNote: Comment = "PATGATE_TEST_POSTGRES_ADMIN_URL is not set: the PostgreSQL login tests did not run (scripts/test sets it)"
    static let reader = "patgate_test_reader"

    static func admin() throws -> PostgresSettings {
        guard let url else { throw PostgresTestDatabase.NotConfigured() }
        return try PostgresSettings(url: url)
    }

    /// A prefix of its own for each test, so parallel tests never reap each other's logins.
    static func uniquePrefix() -> String {
        "pgt" + String(UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(8)) + "_"
    }

    static func provider(prefix: String, roles: [String] = [reader], reuseMargin: Int64? = nil, audit: any AuditLog = NoAuditLog(),
                         now: @escaping @Sendable () -> Int64 = UnixTime.now) throws -> PostgresLoginProvider {
        PostgresLoginProvider(
            settings: PostgresLoginSettings(admin: try admin(), roles: roles, namePrefix: prefix, reuseMargin: reuseMargin,
                                            reapInterval: 0, timeout: 10),
            logger: PostgresTestDatabase.logger, audit: audit, now: now)
    }

    /// Runs `body` with a provider of a fresh prefix and its pool running, then drops every role
    /// of that prefix, also when `body` throws.
    static func withProvider<Result>(roles: [String] = [reader], reuseMargin: Int64? = nil, audit: any AuditLog = NoAuditLog(),
                                     now: @escaping @Sendable () -> Int64 = UnixTime.now,
                                     _ body: (PostgresLoginProvider, String) async throws -> Result) async throws -> Result {
        let prefix = uniquePrefix()
        let provider = try provider(prefix: prefix, roles: roles, reuseMargin: reuseMargin, audit: audit, now: now)
        let result: Result
        do {
            result = try await provider.withRunning { try await body(provider, prefix) }
        } catch {
            // PSQLError's description is deliberately generic; the reflection says what failed.
            if error is PSQLError { Issue.record("\(String(reflecting: error))") }
            await dropRoles(prefix: prefix)
            throw error
        }
        await dropRoles(prefix: prefix)
        return result
    }

    static func request(_ subject: SubjectIdentity, lifetime: Int64, notAfter: Int64? = nil,
                        now: Int64 = UnixTime.now()) throws -> CredentialRequest {
        CredentialRequest(subject: subject, clientID: "ci", accessToken: "header.payload.signature", issuedAt: now,
                          tokenExpiresAt: now + lifetime, notAfter: notAfter, form: try FormBody(parsing: [UInt8]()))
    }

    static func issue(_ provider: PostgresLoginProvider, _ request: CredentialRequest) async throws -> (any PreparedCredential, IssuedCredential) {
        let prepared = try #require(try provider.prepare(request))
        return (prepared, try await prepared.issue())
    }

    static func field(_ credential: IssuedCredential, _ name: String) -> String? {
        for field in credential.fields where field.name == name {
            if case .string(let value) = field.value { return value }
        }
        return nil
    }

    /// The settings to log in as an issued login.
    static func login(_ credential: IssuedCredential) throws -> PostgresSettings {
        let admin = try admin()
        return PostgresSettings(host: admin.host, port: admin.port, username: try #require(field(credential, "db_username")),
                                password: field(credential, "db_password"), database: admin.database, tls: .disable)
    }

    /// Role names with this prefix that exist now.
    static func roles(prefix: String) async throws -> [String] {
        try await PostgresTestDatabase.strings(
            "SELECT rolname::text FROM pg_roles WHERE starts_with(rolname::text, '\(prefix)') ORDER BY 1", on: admin())
    }

    /// Moves a login's expiry into the past, as time would (tests do not wait for it).
    static func expire(_ role: String) async throws {
        try await PostgresTestDatabase.execute("ALTER ROLE \"\(role)\" VALID UNTIL '2001-01-01Z'", on: admin())
    }

    static func exists(_ role: String) async throws -> Bool {
        try await PostgresTestDatabase.strings("SELECT count(*)::text FROM pg_roles WHERE rolname = '\(role)'", on: admin()) == ["1"]
    }

    /// Drops what a test left behind (names of a-z, 0-9 and _ only, made by the test).
    static func dropRoles(prefix: String) async {
        guard let names = try? await roles(prefix: prefix) else { return }
        for name in names {
            // What a failed test left may own objects or hold grants: take them away first.
            for statement in ["GRANT \"\(name)\" TO CURRENT_USER", "DROP OWNED BY \"\(name)\"", "DROP ROLE IF EXISTS \"\(name)\""] {
                try? await PostgresTestDatabase.execute(statement, on: try admin())
            }
        }
    }
}
