import Testing
@testable import PatgateAdapters

@Suite struct PostgresSettingsTests {
    @Test func parsesEveryPartAndDecodesPercentEscapes() throws {
        let settings = try PostgresSettings(url: "postgres://app%40corp:p%40ss%3Aw%2Frd%20x@db.example:6543/patgate_prod?sslmode=require")
        #expect(settings == PostgresSettings(host: "db.example", port: 6543, username: "app@corp",
                                             password: "p@ss:w/rd x", database: "patgate_prod", tls: .require))
    }

    @Test func defaultsMatchLibpq() throws {
        let settings = try PostgresSettings(url: "postgresql://patgate@127.0.0.1")
        #expect(settings.port == 5432)
        #expect(settings.database == "patgate")
        #expect(settings.password == nil)
        #expect(settings.tls == .prefer)
        #expect(try PostgresSettings(url: "postgres://u:p@[::1]:5433/db?sslmode=verify-full").host == "::1")
        #expect(try PostgresSettings(url: "postgres://u:p@h/db?sslmode=disable").tls == .disable)
        let schema = try PostgresSettings(url: "postgres://u:p@h/db?search_path=patgate_1&sslmode=require")
        #expect(schema.searchPath == "patgate_1")
        #expect(schema.description == "postgres://u@h:5432/db?sslmode=require&search_path=patgate_1")
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let settings = try PostgresSettings(url: "postgres://patgate:hunter2-secret@[::1]:5433/db?sslmode=disable")
        #expect(settings.description == "postgres://patgate@[::1]:5433/db?sslmode=disable")
        #expect(!"\(settings)".contains("hunter2"))
    }

    @Test(arguments: [
        "http://u:hunter2-secret@h/db", "postgres://u:hunter2-secret@/db", "postgres://:hunter2-secret@h/db",
        "postgres://u:hunter2-secret@h/db?sslmode=maybe", "postgres://u:hunter2-secret@h/db?options=-c%20x",
        "postgres://u:hunter2-secret@h/db/extra", "postgres://u:hunter2-secret@h/db?search_path=a,b",
        "postgres://u:hunter2-secret@h/db?search_path=Public", "postgres://u:hunter2-secret@h/db?search_path=", "postgres://u:hunter2-secret@h:0/db", "not a url hunter2-secret",
    ])
    func badURLsAreRefusedWithoutEchoingThem(_ url: String) {
        let error = #expect(throws: PostgresStoreError.self) { try PostgresSettings(url: url) }
        #expect(error?.code == .invalidURL)
        #expect(error?.description.contains("hunter2") == false)
    }
}
