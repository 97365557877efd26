import Foundation
import Logging
import PatgateCore
@testable import PatgateServer
import PatgateTestSupport
import Testing

/// `InlineAnswerHandler` holding a request on a real connection: a cache-miss exchange waits
/// for the upstream, an introspection for the store, on the connection's loop, and the answer
/// takes its place among the pipelined requests' answers; a failing upstream is a 503 in that
/// place; a client that leaves meanwhile leaves the server as it was.
@Suite struct InlineAnswerHoldingTests {
    static let healthz = "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n"

    func statuses(_ text: String) -> [String] {
        text.matches(of: /HTTP\/1\.1 (\d{3})/).map { String($0.output.1) }
    }

    func bodies(_ text: String) -> [String] {
        text.matches(of: /\r\n\r\n(\{"[a-z_]+")/).map { String($0.output.1) }
    }

    func exchangeBody(_ token: String, client: String = "client_id=cli") -> String {
        "\(TokenEndpointTests.grant)&\(client)&subject_token=\(token)"
    }

    @Test func missesAreAnsweredInTheirPlaceAmongPipelinedRequests() async throws {
        try await LiveServer.with { server in
            let first = try await TokenEndpointTests().newPAT(server, scopes: ["openid", "profile"]).1
            let second = try await TokenEndpointTests().newPAT(server, scopes: ["openid"]).1
            let unknown = "pgat_AAAAAAAAAAAAAAAAAAAAAAAAAAA000000"
            // A miss, a request behind it, the same PAT again (now a hit), a client error decided
            // at once, a second miss, a miss the upstream calls inactive, a request for the router.
            let requests = rawPost("/token", exchangeBody(first)) + Self.healthz + rawPost("/token", exchangeBody(first))
                + rawPost("/token", exchangeBody(second, client: "client_id=nobody")) + rawPost("/token", exchangeBody(second))
                + rawPost("/token", exchangeBody(unknown)) + rawPost("/token?via=router", exchangeBody(second))
            let answer = try await RawHTTP.exchange(port: server.config.server.port, requests)
            #expect(statuses(answer.text) == ["200", "200", "200", "401", "200", "400", "200"], "\(answer.text)")
            #expect(bodies(answer.text) == [#"{"access_token""#, #"{"status""#, #"{"access_token""#, #"{"error""#,
                                            #"{"access_token""#, #"{"error""#, #"{"access_token""#])
            #expect(answer.text.contains(#""error":"invalid_request""#))
            #expect(!answer.closed)

            // A held answer has the router's fields, in the router's order.
            let fresh = try await TokenEndpointTests().newPAT(server, scopes: ["openid"]).1
            let held = try await server.post("/token", exchangeBody(fresh))
            let routed = try await server.post("/token?via=router", exchangeBody(fresh))
            #expect(held.status == 200 && routed.status == 200)
            #expect(held.headers.map { $0.name.lowercased() } == routed.headers.map { $0.name.lowercased() })
            #expect(try server.json(held)["scope"] as? String == "openid")
        }
    }

    @Test func aSlowUpstreamHoldsOnlyItsOwnConnection() async throws {
        let body = #"{"active":true,"sub":"x","scope":"openid"}"#
        try await FakeUpstream.with(.slow(.milliseconds(300), body)) { upstream in
            try await LiveServer.with(environment: ["PATGATE_UPSTREAM_INTROSPECTION_URL": upstream.url]) { server in
                let port = server.config.server.port
                async let held = RawHTTP.exchange(port: port, rawPost("/token", exchangeBody("pgat_slow")) + Self.healthz)
                // Another connection is answered meanwhile.
                try await Task.sleep(for: .milliseconds(50))
                let other = try await RawHTTP.exchange(port: port, Self.healthz)
                #expect(statuses(other.text) == ["200"])
                let answer = try await held
                #expect(statuses(answer.text) == ["200", "200"], "\(answer.text)")
                #expect(bodies(answer.text) == [#"{"access_token""#, #"{"status""#])
            }
        }
    }

    @Test func theEndOfInputOrAnErrorAfterAHeldRequestWaitsForItsAnswer() async throws {
        let body = #"{"active":true,"sub":"x","scope":"openid"}"#
        try await FakeUpstream.with(.slow(.milliseconds(200), body)) { upstream in
            try await LiveServer.with(environment: ["PATGATE_UPSTREAM_INTROSPECTION_URL": upstream.url]) { server in
                let requests = rawPost("/token", exchangeBody("pgat_half")) + Self.healthz
                let answer = try await RawHTTP.exchange(port: server.config.server.port, requests, halfClose: true)
                #expect(statuses(answer.text) == ["200", "200"], "\(answer.text)")
                #expect(bodies(answer.text) == [#"{"access_token""#, #"{"status""#])
                #expect(answer.closed, "then the server closes, as for a routed request")
                // Bytes that are no request, after a held one: its answer still comes first.
                let garbled = try await RawHTTP.exchange(port: server.config.server.port,
                                                         rawPost("/token", exchangeBody("pgat_garbled")) + "NOT HTTP\r\n\r\n")
                #expect(statuses(garbled.text).first == "200", "\(garbled.text)")
                #expect(bodies(garbled.text).first == #"{"access_token""#)
            }
        }
    }

    @Test func aFailingUpstreamIsA503InItsPlace() async throws {
        try await FakeUpstream.with(.status(500, "{}")) { upstream in
            try await LiveServer.with(environment: ["PATGATE_UPSTREAM_INTROSPECTION_URL": upstream.url]) { server in
                let answer = try await RawHTTP.exchange(port: server.config.server.port,
                                                        rawPost("/token", exchangeBody("pgat_any")) + Self.healthz)
                #expect(statuses(answer.text) == ["503", "200"], "\(answer.text)")
                #expect(answer.text.contains(#""error":"temporarily_unavailable""#))
                #expect(!answer.text.contains("access_token"))
            }
        }
    }

    @Test func aClientThatLeavesWhileHeldLeavesTheServerAsItWas() async throws {
        try await FakeUpstream.with(.hang(.milliseconds(500))) { upstream in
            try await LiveServer.with(environment: ["PATGATE_UPSTREAM_INTROSPECTION_URL": upstream.url]) { server in
                let port = server.config.server.port
                for index in 0..<8 {
                    try RawHTTP.sendAndClose(port: port, rawPost("/token", exchangeBody("pgat_gone\(index)")) + Self.healthz)
                }
                #expect(try await server.get("/healthz").status == 200)
                // Once the abandoned calls are over, the same server still holds and answers misses.
                try await Task.sleep(for: .milliseconds(700))
                let answer = try await RawHTTP.exchange(port: port, rawPost("/token", exchangeBody("pgat_stays")) + Self.healthz)
                #expect(statuses(answer.text) == ["200", "200"], "\(answer.text)")
                #expect(bodies(answer.text) == [#"{"access_token""#, #"{"status""#])
            }
        }
    }

    /// The sum of `name`'s series whose labels contain `label`, as `/metrics` shows them.
    func metric(_ server: LiveServer, _ name: String, _ label: String) async throws -> Int {
        let text = String(decoding: try await server.get("/metrics").body, as: UTF8.self)
        return text.split(separator: "\n").filter { $0.hasPrefix(name + "{") && $0.contains(label) }
            .reduce(0) { $0 + Int(Double($1.split(separator: " ").last ?? "0") ?? 0) }
    }

    @Test func aClientThatResetsWhileHeldIsNoFailureOfTheUpstreamOrTheExchange() async throws {
        try await FakeUpstream.with(.hang(.milliseconds(700))) { upstream in
            try await LiveServer.with(environment: ["PATGATE_UPSTREAM_INTROSPECTION_URL": upstream.url,
                                                    "PATGATE_UPSTREAM_TIMEOUT_MS": "400"]) { server in
                let unreachable = #"outcome="unreachable""#, unavailable = #"result="temporarily_unavailable""#
                let before = (try await metric(server, "patgate_introspection_requests_total", unreachable),
                              try await metric(server, "patgate_token_exchanges_total", unavailable))
                // The held exchange, and with it the upstream call nobody else waits for, is cancelled.
                try RawHTTP.sendAndClose(port: server.config.server.port, rawPost("/token", exchangeBody("pgat_reset")), reset: true)
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await metric(server, "patgate_introspection_requests_total", unreachable) == before.0)
                #expect(try await metric(server, "patgate_token_exchanges_total", unavailable) == before.1)
                // A client that waits still sees, and counts, the upstream's failure (a timeout).
                let kept = try await server.post("/token", exchangeBody("pgat_kept"))
                #expect(kept.status == 503)
                #expect(try await metric(server, "patgate_introspection_requests_total", unreachable) == before.0 + 1)
                #expect(try await metric(server, "patgate_token_exchanges_total", unavailable) == before.1 + 1)
            }
        }
    }

    func gatewayAuthorization(_ server: LiveServer) throws -> String {
        let secret = try String(contentsOfFile: server.config.dataDirectory + "/secrets/gateway-introspection.secret", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return "Basic " + Data("patgate-gateway:\(secret)".utf8).base64EncodedString()
    }

    func introspect(_ path: String, _ token: String, authorization: String?, extra: String = "") -> String {
        let body = "token=\(token)"
        return "POST \(path) HTTP/1.1\r\nHost: gw\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + (authorization.map { "Authorization: \($0)\r\n" } ?? "") + extra
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func introspectionsAreAnsweredInTheirPlaceAsTheRouterAnswersThem() async throws {
        try await LiveServer.with { server in
            let (_, pat) = try await TokenEndpointTests().newPAT(server, scopes: ["openid"])
            let gateway = try gatewayAuthorization(server)
            let requests = introspect("/introspect", pat, authorization: gateway) + Self.healthz
                + introspect("/introspect", "pgat_nope", authorization: gateway)
                + introspect("/introspect", pat, authorization: nil)                       // no client: 401 at once
                + introspect("/introspect", pat, authorization: gateway, extra: "Accept: application/token-introspection+jwt\r\n")
                + introspect("/introspect?via=router", pat, authorization: gateway)
            let answer = try await RawHTTP.exchange(port: server.config.server.port, requests)
            #expect(statuses(answer.text) == ["200", "200", "200", "401", "200", "200"], "\(answer.text)")
            let parts = answer.text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.components(separatedBy: "\r\n\r\n") }
            guard parts.count == 6 else { Issue.record("\(answer.text)"); return }
            #expect(parts[0][1].hasPrefix(#"{"active":true"#) && parts[0][1].contains(#""sub":"alice""#))
            #expect(parts[0][1] == parts[5][1], "the same answer as the router's")
            #expect(parts[2][1] == #"{"active":false}"#)
            #expect(parts[3][1].contains(#""error":"invalid_client""#))
            #expect(parts[4][0].lowercased().contains("content-type: application/token-introspection+jwt"))
            #expect(parts[4][1].split(separator: ".").count == 3)
            // The same fields, in the same order, as the router's.
            func names(_ head: String) -> [String] {
                head.components(separatedBy: "\r\n").dropFirst().map { $0.split(separator: ":")[0].lowercased() }
            }
            #expect(names(parts[0][0]) == names(parts[5][0]))
        }
    }

    @Test func anIntrospectionCancelledBeforeTheStoreAnswersLogsNoStoreFailure() async throws {
        try await LiveServer.with { server in
            let (_, pat) = try await TokenEndpointTests().newPAT(server, scopes: ["openid"])
            let endpoint = try #require(PatgateApplication.introspection(server.components))
            let question = IntrospectionEndpoint.Question(clientID: "patgate-gateway", token: pat, settings: server.components.live.current)
            let capture = LogCapture()
            var logger = capture.logger("patgate")
            logger.logLevel = .info   // as the server logs by default
            // As when the asking client leaves while the read waits: the handler cancels the request's task.
            let abandoned = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return await endpoint.answer(question, jwt: false, address: nil, logger: logger)
            }
            #expect(await abandoned.value.head.status == .serviceUnavailable)
            #expect(capture.lines.isEmpty, "\(capture.lines)")
            let answered = await endpoint.answer(question, jwt: false, address: nil, logger: logger)
            #expect(answered.head.status == .ok && capture.lines.isEmpty)
        }
    }

    @Test func behindATrustedProxyAnIntrospectionRecordsTheForwardedClient() async throws {
        try await LiveServer.with(environment: ["PATGATE_SERVER_TRUSTED_PROXIES": "127.0.0.1/32, ::1"]) { server in
            let (created, pat) = try await TokenEndpointTests().newPAT(server, scopes: ["openid"])
            let answer = try await RawHTTP.exchange(port: server.config.server.port, introspect(
                "/introspect", pat, authorization: try gatewayAuthorization(server), extra: "X-Forwarded-For: 203.0.113.9\r\n"))
            #expect(statuses(answer.text) == ["200"])
            let store = try #require(server.components.issuer).store
            var used: String?
            for _ in 0..<250 {   // the usage writer lingers 1 s before it writes
                used = try await store.find(id: created.id)?.lastUsedAddress
                if used != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(used == "203.0.113.9")
        }
    }
}
