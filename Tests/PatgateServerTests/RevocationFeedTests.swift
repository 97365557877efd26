import Foundation
import PatgateCore
import PatgateServer
import Testing

/// The issuer's revocation feed, `GET /revocations` (README "Revocation feed"): only the
/// introspection clients read it; it answers the events after a position at once, waits for
/// the next one when there is none, and tells a reader from elsewhere to start over.
@Suite struct RevocationFeedTests {
    func gateway(_ server: LiveServer) throws -> (name: String, value: String) {
        let secret = try String(contentsOfFile: server.config.dataDirectory + "/secrets/gateway-introspection.secret", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ("Authorization", "Basic " + Data("patgate-gateway:\(secret)".utf8).base64EncodedString())
    }

    func read(_ server: LiveServer, _ query: String = "") async throws -> RevocationFeedPage {
        let response = try await server.http.perform(.init(method: "GET", url: server.base + "/revocations" + query,
                                                           headers: [try gateway(server)]))
        #expect(response.status == 200)
        #expect(response.header("Cache-Control") == "no-store")
        return try #require(RevocationFeedPage.parse(response.body), "\(String(decoding: response.body, as: UTF8.self))")
    }

    /// "<status> <error>" of a feed request with these headers.
    func status(_ server: LiveServer, _ headers: [(name: String, value: String)]) async throws -> String {
        let response = try await server.http.perform(.init(method: "GET", url: server.base + "/revocations?after=0",
                                                           headers: headers))
        return "\(response.status) \(try server.json(response)["error"] as? String ?? "-")"
    }

    @Test func onlyConfidentialClientsWithTheIntrospectionGrantReadTheFeed() async throws {
        try await LiveServer.with { server in
            let wrong = ("Authorization", "Basic " + Data("patgate-gateway:not-the-secret".utf8).base64EncodedString())
            let introspection = try gateway(server)
            #expect(try await status(server, []) == "401 invalid_client")
            #expect(try await status(server, [wrong]) == "401 invalid_client")
            #expect(try await status(server, [server.basicCI]) == "403 unauthorized_client")   // no introspection grant
            #expect(try await status(server, [introspection]) == "200 -")
        }
    }

    @Test func eventsAfterThePositionComeAtOnceAndAWaitEndsWithTheNextOne() async throws {
        try await LiveServer.with { server in
            let issuer = try #require(server.components.issuer)
            try await server.ensureUser("feed-user")
            let start = try await read(server)
            #expect(start.events.isEmpty)

            let (first, _) = try await issuer.create(owner: "feed-user", name: "a", scopes: ["openid"], expiresIn: nil)
            try await issuer.revoke(id: first.id)
            let page = try await read(server, "?after=\(start.next)&wait=5")
            #expect(page.events.map(\.subject) == [first.id])
            #expect(page.events.map(\.kind) == [.token])
            #expect(page.next == page.events.last?.sequence)

            // Nothing new: the poll waits; a revocation made meanwhile ends it with that event
            // (were it not woken, it would end after the wait with no events).
            let (second, _) = try await issuer.create(owner: "feed-user", name: "b", scopes: ["openid"], expiresIn: nil)
            async let waiting = read(server, "?after=\(page.next)&wait=4")
            try await Task.sleep(for: .milliseconds(300))
            try await issuer.revoke(id: second.id)
            #expect(try await waiting.events.map(\.subject) == [second.id])

            // Disabling a user names the subject: every PAT of theirs.
            let latest = try await read(server).next
            _ = try await server.management.accounts.update(username: "feed-user", displayName: nil, role: nil, disabled: true,
                                                            by: LiveServer.cliActor)
            let disabled = try await read(server, "?after=\(latest)")
            #expect(disabled.events.map(\.kind) == [.user])
            #expect(disabled.events.map(\.subject) == ["feed-user"])
        }
    }

    @Test func aPositionTheIssuerNeverReachedMeansStartOver() async throws {
        try await LiveServer.with { server in
            let latest = try await read(server).next
            let page = try await read(server, "?after=\(latest + 1_000_000)")
            #expect(page.reset)
            #expect(page.next == latest)
            #expect(try await read(server, "?after=\(latest)&wait=0") == RevocationFeedPage(events: [], next: latest))
        }
    }

    @Test func malformedPositionsAreInvalidRequests() async throws {
        try await LiveServer.with { server in
            for query in ["?after=-1", "?after=x", "?after=1&after=2", "?after=0&wait=soon", "?after="] {
                let response = try await server.http.perform(.init(method: "GET", url: server.base + "/revocations" + query,
                                                                   headers: [try gateway(server)]))
                #expect(response.status == 400, "\(query)")
                #expect(try server.json(response)["error"] as? String == "invalid_request", "\(query)")
            }
        }
    }
}
