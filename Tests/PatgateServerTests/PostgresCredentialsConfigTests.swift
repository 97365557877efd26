import Foundation
import PatgateAdapters
import PatgateServer
import PatgateTestSupport
import Testing

/// `credentials.postgres.*`: off by default, defaults from the admin URL, every problem named.
@Suite struct PostgresCredentialsConfigTests {
    func configPath() throws -> String {
        let dir = TemporaryPath.path("patgate-pgcred")
        return try FirstStart(dataDirectory: dir, port: 8182).run().configPath
    }

    @Test func offUnlessAnAdminURLIsSet() async throws {
        let config = try await ConfigLoader.load(file: try configPath(), environment: [:])
        #expect(config.credentials.postgres == nil)
    }

    @Test func settingsAndTheirDefaults() async throws {
        let path = try configPath()
        let url = "postgres://patgate_admin:s3cret%21@db.internal:5433/app?sslmode=require"
        let plain = try #require(try await ConfigLoader.load(file: path, environment: [
            "PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL": url, "PATGATE_CREDENTIALS_POSTGRES_ROLES": "app_reader, \"Odd Role\"",
        ]).credentials.postgres)
        #expect(plain.admin.password == "s3cret!" && plain.admin.tls == .require)
        #expect(plain.roles == ["app_reader", "\"Odd Role\""])
        #expect(plain.host == "db.internal" && plain.port == 5433 && plain.database == "app")
        #expect(plain.namePrefix == "patgate_" && plain.reuseMargin == nil)
        #expect(plain.reapInterval == 60 && plain.timeout == 5)

        // `admin_url_env` names a variable of the process environment (a unique name: tests run in parallel).
        let variable = "PATGATE_TEST_PG_ADMIN_\(UUID().uuidString.replacingOccurrences(of: "-", with: "_"))"
        setenv(variable, url, 1)
        defer { unsetenv(variable) }
        let tuned = try #require(try await ConfigLoader.load(file: path, environment: [
            "PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL_ENV": variable,
            "PATGATE_CREDENTIALS_POSTGRES_HOST": "db.example.com", "PATGATE_CREDENTIALS_POSTGRES_PORT": "6432",
            "PATGATE_CREDENTIALS_POSTGRES_DATABASE": "reports", "PATGATE_CREDENTIALS_POSTGRES_NAME_PREFIX": "tmp_",
            "PATGATE_CREDENTIALS_POSTGRES_REUSE_MARGIN_SECONDS": "120", "PATGATE_CREDENTIALS_POSTGRES_REAP_INTERVAL_SECONDS": "0",
            "PATGATE_CREDENTIALS_POSTGRES_TIMEOUT_SECONDS": "2",
        ]).credentials.postgres)
        #expect(tuned.admin == plain.admin)
        #expect(tuned.host == "db.example.com" && tuned.port == 6432 && tuned.database == "reports")
        #expect(tuned.namePrefix == "tmp_" && tuned.reuseMargin == 120 && tuned.reapInterval == 0 && tuned.timeout == 2)
    }

    @Test func problemsAreNamedWithoutQuotingTheURL() async throws {
        let path = try configPath()
        let url = "postgres://patgate_admin:hunter2@db/app"
        for (environment, key) in [
            (["PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL": "mysql://u:hunter2@h/db"], "credentials.postgres.admin_url"),
            (["PATGATE_CREDENTIALS_POSTGRES_ROLES": "app_reader"], "credentials.postgres.admin_url"),
            (["PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL_ENV": "PATGATE_TEST_NO_SUCH_VARIABLE"], "credentials.postgres.admin_url_env"),
            (["PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL": url, "PATGATE_CREDENTIALS_POSTGRES_NAME_PREFIX": "pg_x"], "credentials.postgres.name_prefix"),
            (["PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL": url, "PATGATE_CREDENTIALS_POSTGRES_NAME_PREFIX": "Ab\"c"], "credentials.postgres.name_prefix"),
            (["PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL": url, "PATGATE_CREDENTIALS_POSTGRES_PORT": "0"], "credentials.postgres.port"),
            (["PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL": url, "PATGATE_CREDENTIALS_POSTGRES_TIMEOUT_SECONDS": "0"], "credentials.postgres.timeout_seconds"),
        ] {
            let error = await #expect(throws: ConfigError.self) {
                _ = try await ConfigLoader.load(file: path, environment: environment)
            }
            #expect(error?.description.contains(key) == true, "\(String(describing: error))")
            #expect(error?.description.contains("hunter2") == false)
        }
    }
}
