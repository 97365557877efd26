import Curl
import Foundation
import Hummingbird
import Logging
import PatgateCore
import PatgateServer
import PatgateTestSupport
import ServiceLifecycle

/// A real patgate on a real loopback port with a real SQLite file, made by the same
/// first-start code as `patgate serve`. The gateway validates PATs over HTTP via libcurl.
final class LiveServer: Sendable {
    let config: PatgateConfig
    let services: Services
    let http: HTTPClient
    let ciSecret: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `environment` overrides config keys as `PATGATE_*` variables do.
    static func start(environment: [String: String] = [:]) async throws -> LiveServer {
        let dir = TemporaryPath.path("patgate-test")
        let port = try LoopbackPort.free()
        let summary = try FirstStart(dataDirectory: dir, port: port).run()
        let config = try await ConfigLoader.load(file: summary.configPath, environment: environment)
        let secret = try String(contentsOfFile: summary.ciSecretPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try await LiveServer(config: config, ciSecret: secret)
    }

    private init(config: PatgateConfig, ciSecret: String) async throws {
        let logger = TestEnvironment.quietLogger("patgate-test")
        self.config = config
        self.ciSecret = ciSecret
        services = try await Services(config: config, logger: logger)
        http = try HTTPClient(options: HTTPClientOptions(connections: 4))
        let app = PatgateApplication.make(services: services, logger: logger)
        group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let group = self.group
        task = Task { try await group.run() }
        for _ in 0..<200 {
            if (try? await get("/healthz").status) == 200 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HarnessError(text: "test server did not start")
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await services.shutdown()
        http.shutdown()
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
