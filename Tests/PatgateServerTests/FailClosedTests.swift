import Foundation
import PatgateServer
import PatgateTestSupport
import Testing

/// Invariant 3 of docs/ARCHITECTURE.md: an unreachable, slow or confused upstream makes `/token` answer 503.
@Suite struct FailClosedTests {
    static let body = TokenEndpointTests.grant + "&client_id=cli&subject_token=pgat_AAAAAAAAAAAAAAAAAAAAAAAAAAA000000"

    func expect503(upstream url: String, extra: [String: String] = [:]) async throws {
        try await LiveServer.with(environment: ["PATGATE_UPSTREAM_INTROSPECTION_URL": url].merging(extra) { $1 }) { server in
            let response = try await server.post("/token", Self.body)
            #expect(response.status == 503)
            #expect(try server.json(response)["error"] as? String == "temporarily_unavailable")
            #expect(try server.json(response)["access_token"] == nil)
        }
    }

    @Test func upstreamDown() async throws {
        try await expect503(upstream: "http://127.0.0.1:\(try LoopbackPort.free())/introspect")
    }

    @Test(arguments: [
        FakeUpstream.Behaviour.status(200, "<html>not json</html>"), .status(200, #"{"sub":"x"}"#),
        .status(200, #"{"active":"yes","sub":"x"}"#), .status(200, #"{"active":true}"#),
        .status(500, #"{"active":true,"sub":"x"}"#), .status(401, "{}"),
    ])
    func upstreamConfused(_ behaviour: FakeUpstream.Behaviour) async throws {
        try await FakeUpstream.with(behaviour) { upstream in
            try await expect503(upstream: upstream.url)
        }
    }

    @Test func upstreamTooSlow() async throws {
        try await FakeUpstream.with(.hang(.seconds(2))) { upstream in
            try await expect503(upstream: upstream.url, extra: ["PATGATE_UPSTREAM_TIMEOUT_MS": "300"])
        }
    }
}
