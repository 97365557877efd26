import Foundation
import JOSE
import PatgateServer
import PatgateTestSupport
import Testing

/// SIGHUP's reload (README, "Reloading the configuration"): keys, clients and policies swap
/// together; a configuration that does not load changes nothing.
@Suite struct ConfigReloaderTests {
    struct Fixture {
        let path: String
        let components: Components
        let reloader: ConfigReloader

        init() async throws {
            let dir = TemporaryPath.path("patgate-reload")
            let summary = try FirstStart(dataDirectory: dir, port: try LoopbackPort.free()).run()
            path = summary.configPath
            let path = path
            let load: @Sendable () async throws -> PatgateConfig = { try await ConfigLoader.load(file: path, environment: [:]) }
            components = try await Components(config: try await load(), logger: TestEnvironment.quietLogger("reload"), reload: load)
            reloader = try #require(components.reloader)
        }

        func edit(_ change: (String) -> String) throws {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try change(text).write(toFile: path, atomically: true, encoding: .utf8)
        }

        func addKey(_ role: String) throws -> SigningKey {
            let key = try SigningKey.generate(.es256)
            let file = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("keys/\(role)-\(key.keyID.prefix(6)).pem").path
            try FirstStart.writeSecret(try key.privateKeyPEM(), to: file)
            try edit { $0.replacingOccurrences(of: "keys:\n", with: "keys:\n  \(role): [\(file)]\n") }
            return key
        }
    }

    @Test func aStagedKeyIsPublishedAtOnceAndSignsNothing() async throws {
        let fixture = try await Fixture()
        let active = fixture.components.keys.active.keyID
        let staged = try fixture.addKey("next")
        #expect(await fixture.reloader.reload() == .applied(restartNeeded: []))
        let live = fixture.components.live.current
        #expect(live.keys.published.map(\.keyID) == [active, staged.keyID])
        #expect(String(decoding: live.keys.jwksJSON, as: UTF8.self).contains(staged.keyID))
        #expect(live.keys.active.keyID == active)
    }

    @Test func policyAndClientsSwapWithTheKeys() async throws {
        let fixture = try await Fixture()
        try fixture.edit {
            $0.replacingOccurrences(of: "max_token_lifetime_seconds: 600", with: "max_token_lifetime_seconds: 120")
              .replacingOccurrences(of: "ids: [cli, ci, patgate-gateway]", with: "ids: [ci, patgate-gateway]")
              .replacingOccurrences(of: "  cli:", with: "  unused:")
        }
        // `clients.unused` is no client: the file must not load.
        guard case .rejected(let problems) = await fixture.reloader.reload() else {
            Issue.record("a client section outside clients.ids was accepted")
            return
        }
        #expect(problems.contains { $0.contains("clients.unused") })
        try fixture.edit { text in   // drop the section and its two lines
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if let start = lines.firstIndex(where: { $0.hasPrefix("  unused:") }) { lines.removeSubrange(start...(start + 2)) }
            return lines.joined(separator: "\n")
        }
        let outcome = await fixture.reloader.reload()
        #expect(outcome == .applied(restartNeeded: []))
        let live = fixture.components.live.current
        #expect(live.exchange.policy.maxTokenLifetime == 120)
        #expect(live.clients.client(id: "cli") == nil)
        #expect(live.clients.client(id: "ci") != nil)
    }

    @Test func aBrokenFileOrAMissingKeyChangesNothing() async throws {
        let fixture = try await Fixture()
        let before = fixture.components.live.current
        let original = try String(contentsOfFile: fixture.path, encoding: .utf8)

        try fixture.edit { $0 + "\nclients: [unterminated\n" }
        guard case .rejected(let problems) = await fixture.reloader.reload() else {
            Issue.record("a file that is not YAML was applied")
            return
        }
        #expect(problems.joined().contains(fixture.path))

        try original.write(toFile: fixture.path, atomically: true, encoding: .utf8)
        try fixture.edit { $0.replacingOccurrences(of: "keys:\n", with: "keys:\n  next: [/nonexistent/next.pem]\n") }
        guard case .rejected(let missing) = await fixture.reloader.reload() else {
            Issue.record("a missing key file was applied")
            return
        }
        #expect(missing.contains { $0.contains("keys.next") && $0.contains("/nonexistent/next.pem") })
        #expect(fixture.components.live.current === before)
    }

    @Test func changesThatNeedARestartAreNamedAndNotApplied() async throws {
        let fixture = try await Fixture()
        let port = fixture.components.config.server.port
        try fixture.edit {
            $0.replacingOccurrences(of: "port: \(port)", with: "port: \(port + 1)")
              .replacingOccurrences(of: "ttl_seconds: 60", with: "ttl_seconds: 30")
        }
        let outcome = await fixture.reloader.reload()
        // The embedded upstream is this server on loopback: its URL follows the port.
        #expect(outcome == .applied(restartNeeded: ["server", "upstream", "cache"]))
        #expect(fixture.components.live.current.exchange.minter.issuer == fixture.components.config.server.issuer)
    }
}
