import Curl
import Foundation
import Hummingbird
import Logging
import PatgateCore
import PatgateServer
import PatgateTestSupport
import ServiceLifecycle

/// A real patgate on a real loopback port with a real SQLite file, made by the same
/// first-start code and run by the same `ServiceGroup` as `patgate serve`. The gateway
/// validates PATs over HTTP via libcurl. A test owns its server through `with`: the server
/// stops gracefully, and the test waits for it, when the test's scope ends.
final class LiveServer: Sendable {
    let config: PatgateConfig
    let components: Components
    let http: HTTPClient
    let ciSecret: String

    /// Starts a server, runs `body` with it, then stops it and waits until every piece has
    /// stopped, also when `body` throws. `environment` overrides config keys as `PATGATE_*`
    /// variables do.
    static func with<Result>(environment: [String: String] = [:],
                             _ body: (LiveServer) async throws -> Result) async throws -> Result {
        let dir = TemporaryPath.path("patgate-test")
        let port = try LoopbackPort.free()
        let summary = try FirstStart(dataDirectory: dir, port: port).run()
        let config = try await ConfigLoader.load(file: summary.configPath, environment: environment)
        let secret = try String(contentsOfFile: summary.ciSecretPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let logger = TestEnvironment.quietLogger("patgate-test")
        let components = try await Components(config: config, logger: logger)
        let group = PatgateApplication.serviceGroup(components, logger: logger, handlesSignals: false)
        let server = LiveServer(config: config, components: components, http: try HTTPClient(options: HTTPClientOptions(connections: 4)),
                                ciSecret: secret)
        defer { server.http.shutdown() }
        return try await withThrowingTaskGroup(of: Void.self) { running in
            running.addTask { try await group.run() }
            do {
                try await server.waitUntilServing()
                let result = try await body(server)
                await group.triggerGracefulShutdown()
                try await running.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await running.waitForAll()
                throw error
            }
        }
    }

    private init(config: PatgateConfig, components: Components, http: HTTPClient, ciSecret: String) {
        self.config = config
        self.components = components
        self.http = http
        self.ciSecret = ciSecret
    }

    private func waitUntilServing() async throws {
        for _ in 0..<200 {
            if (try? await get("/healthz").status) == 200 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HarnessError(text: "test server did not start")
    }

    var base: String { "http://127.0.0.1:\(config.server.port)" }

    func get(_ path: String) async throws -> CurlResponse {
        try await http.perform(CurlRequest(method: "GET", url: base + path))
    }

    func post(_ path: String, _ body: String, headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded")]) async throws -> CurlResponse {
        try await http.perform(CurlRequest(method: "POST", url: base + path, headers: headers, body: Array(body.utf8)))
    }

    func json(_ response: CurlResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    var basicCI: (name: String, value: String) {
        ("Authorization", "Basic " + Data("ci:\(ciSecret)".utf8).base64EncodedString())
    }
}

struct HarnessError: Error {
    let text: String
}

/// Curl's types, named apart from Hummingbird's HTTPTypes of the same names.
typealias CurlRequest = Curl.HTTPRequest
typealias CurlResponse = Curl.HTTPResponse
