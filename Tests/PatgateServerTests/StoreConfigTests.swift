import Foundation
import PatgateAdapters
import PatgateServer
import PatgateTestSupport
import Testing

/// `store.kind` and the secret `store.postgres_url` (inline, `_file` or `_env`).
@Suite struct StoreConfigTests {
    func firstStart() throws -> FirstStart.Summary {
        let dir = TemporaryPath.path("patgate-store")
        return try FirstStart(dataDirectory: dir, port: 8181).run()
    }

    @Test func sqliteIsTheDefault() async throws {
        let config = try await ConfigLoader.load(file: try firstStart().configPath, environment: [:])
        #expect(config.issuer.storeKind == .sqlite)
        #expect(config.issuer.postgres == nil)
    }

    @Test func postgresURLFromTheEnvironmentOrAFile() async throws {
        let summary = try firstStart()
        let url = "postgres://patgate:s3cret%21@db.internal:5433/pat?sslmode=require"
        let inline = try await ConfigLoader.load(file: summary.configPath, environment: [
            "PATGATE_STORE_KIND": "postgres", "PATGATE_STORE_POSTGRES_URL": url,
        ])
        #expect(inline.issuer.storeKind == .postgres)
        #expect(inline.issuer.postgres == PostgresSettings(host: "db.internal", port: 5433, username: "patgate",
                                                           password: "s3cret!", database: "pat", tls: .require))

        let file = URL(fileURLWithPath: summary.configPath).deletingLastPathComponent().appendingPathComponent("secrets/pg.url").path
        try (url + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await ConfigLoader.load(file: summary.configPath, environment: [
            "PATGATE_STORE_KIND": "postgres", "PATGATE_STORE_POSTGRES_URL_FILE": "secrets/pg.url",
        ])
        #expect(fromFile.issuer.postgres == inline.issuer.postgres)
    }

    @Test func problemsAreNamedWithoutQuotingTheURL() async throws {
        let summary = try firstStart()
        for (environment, key) in [
            (["PATGATE_STORE_KIND": "mysql"], "store.kind"),
            (["PATGATE_STORE_KIND": "postgres"], "store.postgres_url"),
            (["PATGATE_STORE_KIND": "postgres", "PATGATE_STORE_POSTGRES_URL": "mysql://u:hunter2@h/db"], "store.postgres_url"),
            (["PATGATE_STORE_KIND": "postgres", "PATGATE_STORE_POSTGRES_URL_ENV": "PATGATE_TEST_NO_SUCH_VARIABLE"], "store.postgres_url_env"),
        ] {
            let error = await #expect(throws: ConfigError.self) {
                _ = try await ConfigLoader.load(file: summary.configPath, environment: environment)
            }
            #expect(error?.description.contains(key) == true, "\(String(describing: error))")
            #expect(error?.description.contains("hunter2") == false)
        }
    }
}
