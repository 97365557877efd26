import Foundation
import PatgateCore
import PatgateServer
import PatgateTestSupport
import Testing

/// `leaks.<partner>.*`: the keys secret scanners sign reports with (README, "Leaked tokens").
@Suite struct LeaksConfigTests {
    /// A fresh public key PEM from the `openssl` command line.
    static func publicKeyPEM(curve: String = "P-256") throws -> String {
        let dir = try TemporaryPath.directory("patgate-leak-key")
        let key = dir.appendingPathComponent("key.pem").path, pub = dir.appendingPathComponent("pub.pem").path
        for arguments in [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-out", key],
                          ["pkey", "-in", key, "-pubout", "-out", pub]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        return try String(contentsOfFile: pub, encoding: .utf8)
    }

    /// The embedded default plus `yaml`, loaded.
    func load(_ yaml: String, environment: [String: String] = [:]) async throws -> PatgateConfig {
        let dir = TemporaryPath.path("patgate-leaks")
        let summary = try FirstStart(dataDirectory: dir).run()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: summary.configPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + yaml).utf8))
        try handle.close()
        return try await ConfigLoader.load(file: summary.configPath, environment: environment)
    }

    func problems(_ yaml: String, environment: [String: String] = [:]) async -> String {
        do {
            _ = try await load(yaml, environment: environment)
            return ""
        } catch {
            return "\(error)"
        }
    }

    static func indented(_ pem: String, by spaces: Int) -> String {
        pem.split(separator: "\n").map { String(repeating: " ", count: spaces) + $0 }.joined(separator: "\n")
    }

    @Test func keysComeFromThePartnersDocumentAndOneByOne() async throws {
        let github = try Self.publicKeyPEM(), old = try Self.publicKeyPEM(), gitlab = try Self.publicKeyPEM()
        let document = try TemporaryPath.directory("patgate-leak-doc").appendingPathComponent("keys.json")
        let entries: [[String: Any]] = [["key_identifier": "gh-new", "key": github, "is_current": true],
                                        ["key_identifier": "gh-old", "key": old, "is_current": false]]
        try JSONSerialization.data(withJSONObject: ["public_keys": entries]).write(to: document)
        let config = try await load("""
            leaks:
              github:
                public_keys_file: \(document.path)
              gitlab:
                key_ids: [gl-1]
                keys:
                  gl-1:
                    public_key: |
            \(Self.indented(gitlab, by: 10))
            """)
        #expect(config.leaks.map(\.partner) == [.github, .gitlab])
        #expect(Set(config.leaks[0].keys.keys) == ["gh-new", "gh-old"])
        #expect(Array(config.leaks[1].keys.keys) == ["gl-1"])
    }

    @Test func withoutKeysThereAreNoPartners() async throws {
        #expect(try await load("").leaks.isEmpty)
    }

    @Test func everyKeyProblemIsNamedByItsKey() async throws {
        let p384 = try Self.publicKeyPEM(curve: "P-384")
        let text = await problems("""
            leaks:
              github:
                public_keys_file: missing.json
              gitlab:
                key_ids: [none, bad, p384, "a.b"]
                keys:
                  bad: {public_key: "not a key"}
                  p384:
                    public_key: |
            \(Self.indented(p384, by: 10))
            """)
        #expect(text.contains("leaks.github.public_keys_file: cannot read"), "\(text)")
        #expect(text.contains("leaks.gitlab.keys.none: give exactly one of public_key"), "\(text)")
        #expect(text.contains("leaks.gitlab.keys.bad: the input holds no"), "\(text)")
        #expect(text.contains("leaks.gitlab.keys.p384: the public key is EC P-384, not EC P-256"), "\(text)")
        #expect(text.contains("leaks.gitlab.key_ids: 'a.b' may only use"), "\(text)")
    }

    @Test func reportsNeedTheBuiltInIssuerAndUnknownKeysAreRefused() async throws {
        let pem = try Self.publicKeyPEM()
        let keyed = """
            leaks:
              gitlab:
                key_ids: [k]
                keys:
                  k:
                    public_key: |
            \(Self.indented(pem, by: 10))
            """
        let disabled = await problems(keyed, environment: [
            "PATGATE_ISSUER_ENABLED": "false", "PATGATE_UPSTREAM_INTROSPECTION_URL": "http://127.0.0.1:1/introspect"])
        #expect(disabled.contains("leaks.gitlab: leak reports revoke the built-in issuer's PATs"), "\(disabled)")
        let typo = await problems("leaks:\n  github:\n    public_key_file: keys.json\n")
        #expect(typo.contains("leaks.github.public_key_file: unknown key"), "\(typo)")
    }
}
