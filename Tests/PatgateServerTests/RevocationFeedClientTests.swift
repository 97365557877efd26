import Curl
import Foundation
import PatgateAdapters
import PatgateCore
import PatgateTestSupport
import Testing

/// The gateway's side of the revocation feed against a real issuer: it reads the position and
/// the events after it, turns `reset` into a `RevocationGap`, and every other failure into a
/// `RevocationFeedError` the watcher retries (never a page it misreads).
@Suite struct RevocationFeedClientTests {
    func client(_ url: String, secret: String) throws -> RevocationFeedClient {
        try RevocationFeedClient(url: url, authentication: .basic(clientID: "patgate-gateway", secret: secret),
                                 options: HTTPClientOptions(), wait: 2, logger: TestEnvironment.quietLogger("feed"))
    }

    func gatewaySecret(_ server: LiveServer) throws -> String {
        try String(contentsOfFile: server.config.dataDirectory + "/secrets/gateway-introspection.secret", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func readsThePositionTheEventsAfterItAndAReset() async throws {
        try await LiveServer.with { server in
            let feed = try client(server.base + "/revocations", secret: try gatewaySecret(server))
            defer { feed.http.shutdown() }
            let issuer = try #require(server.components.issuer)
            try await server.ensureUser("feed-client")
            let start = try await feed.latestRevocation()
            let (token, _) = try await issuer.create(owner: "feed-client", name: "a", scopes: ["openid"], expiresIn: nil)
            try await issuer.revoke(id: token.id)
            let events = try await feed.revocations(after: start, limit: 500)
            #expect(events.map(\.subject) == [token.id])
            #expect(events.map(\.kind) == [.token])
            #expect(try await feed.revocations(after: start + 1, limit: 500).isEmpty)   // waited, nothing new
            await #expect(throws: RevocationGap(latest: start + 1)) {
                try await feed.revocations(after: start + 100, limit: 500)
            }
        }
    }

    @Test func aRefusedClientAndAMalformedPageAreFailures() async throws {
        try await LiveServer.with { server in
            let refused = try client(server.base + "/revocations", secret: "not-the-secret")
            defer { refused.http.shutdown() }
            await #expect(throws: RevocationFeedError.status(401)) { try await refused.latestRevocation() }
        }
        try await FakeUpstream.with(.status(200, #"{"events":[{"seq":"1"}],"next":1}"#)) { upstream in
            let garbled = try client("http://127.0.0.1:\(upstream.port)/revocations", secret: "s")
            defer { garbled.http.shutdown() }
            await #expect(throws: RevocationFeedError.malformed) { try await garbled.revocations(after: 0, limit: 500) }
        }
        let unreachable = try client("http://127.0.0.1:\(try LoopbackPort.free())/revocations", secret: "s")
        defer { unreachable.http.shutdown() }
        await #expect(throws: RevocationFeedError.self) { try await unreachable.latestRevocation() }
    }
}
