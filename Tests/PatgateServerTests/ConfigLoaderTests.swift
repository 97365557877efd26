import Foundation
import PatgateServer
import PatgateTestSupport
import Testing

@Suite struct ConfigLoaderTests {
    func write(_ yaml: String) throws -> String {
        let dir = try TemporaryPath.directory("patgate-config")
        let path = dir.appendingPathComponent("patgate.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func everyProblemIsNamedByItsKeyAndNoSecretIsQuoted() async throws {
        let path = try write("""
            server: {port: 99999, issuer: "ftp://x"}
            keys: {algorithm: HS256}
            issuer: {token_prefix: "Bad_Prefix", enabled: maybe}
            upstream: {auth: kerberos, client_secret: "sup3r-s3cret"}
            cache: {ttl_seconds: -1}
            policy: {copy_claims: [username=sub]}
            clients:
              ids: [ci, "bad id"]
              ci: {secret_sha256: nothex}
            """)
        do {
            _ = try await ConfigLoader.load(file: path, environment: [:])
            Issue.record("expected a ConfigError")
        } catch let error as ConfigError {
            let text = error.description
            for key in ["server.port", "server.issuer", "keys.algorithm", "keys.active", "issuer.token_prefix",
                        "issuer.enabled", "upstream.auth", "cache.ttl_seconds", "policy.copy_claims",
                        "clients.ids", "clients.ci.secret_sha256"] {
                #expect(text.contains(key), "missing \(key) in \(text)")
            }
            #expect(!text.contains("sup3r-s3cret"))
        }
    }

    @Test func environmentOverridesTheFile() async throws {
        let dir = TemporaryPath.path("patgate-env")
        let summary = try FirstStart(dataDirectory: dir, port: 8181).run()
        let config = try await ConfigLoader.load(file: summary.configPath, environment: [
            "PATGATE_SERVER_PORT": "9191", "PATGATE_CACHE_TTL_SECONDS": "7", "PATGATE_POLICY_DEFAULT_AUDIENCE": "a,b",
        ])
        #expect(config.server.port == 9191)
        #expect(config.server.issuer == "http://127.0.0.1:9191")
        #expect(config.upstream.url == "http://127.0.0.1:9191/introspect")
        #expect(config.cache.positiveTTL == 7)
        #expect(config.policy.defaultAudiences == ["a", "b"])
        #expect(config.clients.map(\.id) == ["cli", "ci", "patgate-gateway"])
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/secrets/ci.secret")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func ecdsaSetupsAheadAreOffUnlessTurnedOn() async throws {
        let summary = try FirstStart(dataDirectory: TemporaryPath.path("patgate-setups")).run()
        #expect(try await !ConfigLoader.load(file: summary.configPath, environment: [:]).keys.ecdsaSetupsAhead)
        let on = try await ConfigLoader.load(file: summary.configPath, environment: ["PATGATE_KEYS_ECDSA_SETUPS_AHEAD": "true"])
        #expect(on.keys.ecdsaSetupsAhead)
        do {
            _ = try await ConfigLoader.load(file: summary.configPath, environment: ["PATGATE_KEYS_ECDSA_SETUPS_AHEAD": "sometimes"])
            Issue.record("expected a ConfigError")
        } catch let error as ConfigError {
            #expect(error.description.contains("keys.ecdsa_setups_ahead"))
        }
    }

    @Test func anUnreadableKeyIsAClearStartupError() async throws {
        let dir = TemporaryPath.path("patgate-key")
        let summary = try FirstStart(dataDirectory: dir).run()
        try "not a key".write(toFile: summary.keyPath, atomically: true, encoding: .utf8)
        do {
            _ = try await ConfigLoader.load(file: summary.configPath, environment: [:])
            Issue.record("expected a ConfigError")
        } catch let error as ConfigError {
            #expect(error.description.contains("keys.active: \(summary.keyPath)"))
            #expect(!error.description.contains("not a key"))
        }
    }

    /// The first-start configuration with `edit` applied to its text.
    func firstStartConfig(_ name: String, edit: (String) -> String) throws -> String {
        let summary = try FirstStart(dataDirectory: TemporaryPath.path(name)).run()
        let text = try String(contentsOfFile: summary.configPath, encoding: .utf8)
        try edit(text).write(toFile: summary.configPath, atomically: true, encoding: .utf8)
        return summary.configPath
    }

    func problems(_ path: String, environment: [String: String] = [:]) async throws -> String {
        do {
            _ = try await ConfigLoader.load(file: path, environment: environment)
            return ""
        } catch let error as ConfigError {
            return error.description
        }
    }

    @Test func aMisspelledKeyInTheFileIsNamedWithTheNearestKnownOne() async throws {
        let path = try firstStartConfig("patgate-typo") { $0.replacingOccurrences(of: "ttl_seconds: 60", with: "ttl_secnds: 5") }
        let text = try await problems(path)
        #expect(text.contains("cache.ttl_secnds: unknown key (did you mean cache.ttl_seconds?)"), "\(text)")
    }

    @Test func aMisspelledVariableIsNamedAndUnrelatedOnesAreNot() async throws {
        let path = try firstStartConfig("patgate-typo-env") { $0 }
        let text = try await problems(path, environment: [
            "PATGATE_CACHE_TTL_SECNDS": "5", "PATGATE_BIN": "/x", "PATGATE_TEST_POSTGRES_URL": "postgres://x",
            "PATGATE_CACHE_TTL_SECONDS": "5", "PATGATE_CONSOLE_DIR": "/tmp",
        ])
        #expect(text.contains("PATGATE_CACHE_TTL_SECNDS: unknown configuration variable (did you mean PATGATE_CACHE_TTL_SECONDS?)"),
                "\(text)")
        #expect(text.components(separatedBy: "\n  - ").count == 2, "only the one problem: \(text)")
    }

    @Test func keysUnderAnIdAreKnownOnlyWhenTheIdIsDeclared() async throws {
        let path = try firstStartConfig("patgate-ids") { $0.replacingOccurrences(of: "ids: [cli, ci, patgate-gateway]", with: "ids: [cli, patgate-gateway]") }
        let text = try await problems(path)
        #expect(text.contains("clients.ci.secret_sha256: unknown key"), "\(text)")
        #expect(text.contains("clients.ci.audiences: unknown key"), "\(text)")
        #expect(!text.contains("- clients.cli"), "\(text)")
    }

    @Test func keysOfABranchNotTakenAreStillKnown() async throws {
        let path = try firstStartConfig("patgate-branches") {
            $0.replacingOccurrences(of: "  # postgres_url_env: PATGATE_POSTGRES_URL", with: "  postgres_url_env: PATGATE_POSTGRES_URL")
                + """
                credentials:
                  x509: {enabled: false, subject_uri: "spiffe://x/{user}", min_rsa_bits: 3072}
                  postgres: {timeout_seconds: 3, reap_interval_seconds: 30}
                """
        }
        let text = try await problems(path, environment: ["PATGATE_UPSTREAM_BEARER_TOKEN": "t", "PATGATE_POSTGRES_URL": "x"])
        #expect(!text.contains("unknown"), "\(text)")
        #expect(text.contains("credentials.postgres.admin_url: is required"), "\(text)")
    }
}
