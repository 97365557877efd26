import Curl
import Foundation

/// The gateway's side of a cache miss's upstream call: `HTTPClient.perform` of a small form
/// POST on kept-alive connections, 8 at a time (`upstream.connections` is 16 by default), against a
/// server of the caller's (`--http-url`, e.g. a running patgate's `/introspect`). Timed in this
/// process's CPU: libcurl, our request and response handling, the driver thread's wake-ups and
/// the hand-off back to the awaiting task.
enum CurlBenchmarks {
    static let name = "libcurl client: a form POST, 8 at a time (CPU per request, hand-offs included)"

    static func run(url: String, seconds: Double) async throws -> Measurement {
        let client = try HTTPClient(options: HTTPClientOptions(connections: 8))
        defer { client.shutdown() }
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                  body: Array("token=pgat_AAAAAAAAAAAAAAAAAAAAAAAAAAA000000".utf8))
        return try await Measurement.cpuTimed(name, seconds: seconds) { _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { for _ in 0..<8 { _ = try await client.perform(request) } }
                }
                try await group.waitForAll()
            }
        }
    }
}
