import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import PatgateCore
@testable import PatgateServer
import PatgateTestSupport
import Testing

/// `InlineAnswerHandler` and forward auth: a `GET` of Traefik's or nginx's endpoint is decided
/// on the event loop that read it, with the router's answer (status, fields and their order,
/// body, audit line, request metrics); a PAT without a cached JWT is held while it is
/// exchanged; every other forward-auth request reaches the router whole.
@Suite struct InlineForwardAuthTests {
    static let url = "http://api.example.com/orders/1"

    /// nginx's subrequest for `url`, through the router (`?via=router`: a query is never taken
    /// inline) or not.
    func authRequest(_ server: LiveServer, viaRouter: Bool = false, _ headers: [(name: String, value: String)]) async throws -> CurlResponse {
        try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/auth-request" + (viaRouter ? "?via=router" : ""),
                                                  headers: [("X-Original-URL", Self.url), ("X-Original-Method", "GET")] + headers))
    }

    /// `patgate_http_requests_total` of the auth-request route for `status`.
    func requests(_ server: LiveServer, status: Int) async throws -> Int {
        let text = String(decoding: try await server.get("/metrics").body, as: UTF8.self)
        let line = text.split(separator: "\n").first {
            $0.hasPrefix("patgate_http_requests_total{") && $0.contains(#"route="/authz/auth-request""#)
                && $0.contains(#"method="GET""#) && $0.contains(#"status="\#(status)""#)
        }
        return line.flatMap { $0.split(separator: " ").last.flatMap { Int(Double($0) ?? 0) } } ?? 0
    }

    @Test func aCachedJWTIsAnsweredInlineAsTheRouterAnswersIt() async throws {
        try await LiveServer.withForwardAuth { server in
            let pat = try await server.pat().value
            let bearer = [("Authorization", "Bearer \(pat)")]
            let minted = try await authRequest(server, bearer)   // held: the PAT is exchanged
            #expect(minted.status == 200)
            let routed = try await authRequest(server, viaRouter: true, bearer)
            let before = try await requests(server, status: 200)
            let inline = try await authRequest(server, bearer)
            #expect(try await requests(server, status: 200) == before + 1, "the request metrics name the route")
            #expect(routed.status == 200 && inline.status == 200)
            // The cached JWT, in the router's fields and order.
            #expect(inline.header("Authorization") == minted.header("Authorization"))
            #expect(inline.header("Authorization") == routed.header("Authorization"))
            #expect(inline.headers.map { $0.name.lowercased() } == routed.headers.map { $0.name.lowercased() })
            for (name, value) in routed.headers where name.lowercased() != "date" {
                #expect(inline.header(name) == value, "\(name)")
            }
            #expect(inline.body.isEmpty && inline.header("Content-Length") == "0")
            // `authz.credential_header` (X-API-Key), its name in any case: the same cached JWT.
            let keyed = try await authRequest(server, [("x-api-KEY", pat)])
            #expect(keyed.status == 200 && keyed.header("Authorization") == minted.header("Authorization"))
            let allowed = try server.auditText().split(separator: "\n").filter { $0.contains(#""authz.allowed""#) }
            #expect(allowed.count == 4 && allowed.filter { $0.contains("cached") }.count == 3, "\(allowed)")
        }
    }

    @Test func deniedAnswersAreTheRouters() async throws {
        try await LiveServer.withForwardAuth { server in
            let cases: [(String, [(name: String, value: String)], Int)] = [
                ("no credential", [], 401),
                ("an unknown PAT", [("Authorization", "Bearer pgat_AAAAAAAAAAAAAAAAAAAAAAAAAAA000000")], 401),
                ("a malformed credential", [("Authorization", "Bearer")], 401),
            ]
            for (name, headers, status) in cases {
                let inline = try await authRequest(server, headers)
                let routed = try await authRequest(server, viaRouter: true, headers)
                #expect(inline.status == status && routed.status == status, "\(name)")
                #expect(inline.header("WWW-Authenticate") == routed.header("WWW-Authenticate"), "\(name)")
                #expect(inline.body == routed.body, "\(name)")
                #expect(inline.headers.map { $0.name.lowercased() } == routed.headers.map { $0.name.lowercased() }, "\(name)")
            }
            let denied = try server.auditText().split(separator: "\n").filter { $0.contains(#""authz.denied""#) }
            #expect(denied.count == 2 * cases.count, "each answer, inline or routed, has its audit line: \(denied)")
            // Traefik's convention: no route covers this request.
            let elsewhere = try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/forward-auth", headers: [
                ("X-Forwarded-Method", "GET"), ("X-Forwarded-Host", "other.example.com"), ("X-Forwarded-Uri", "/orders/1"),
                ("Authorization", "Bearer x"),
            ]))
            #expect(elsewhere.status == 403 && String(decoding: elsewhere.body, as: UTF8.self).contains("access_denied"))
        }
    }

    @Test func traefiksConventionIsAnsweredInlineAsTheRouterAnswersIt() async throws {
        try await LiveServer.withForwardAuth { server in
            let pat = try await server.pat().value
            let headers = [("X-Forwarded-Method", "POST"), ("X-Forwarded-Host", "api.example.com"),
                           ("X-Forwarded-Uri", "/orders/7?x=1"), ("Authorization", "Bearer \(pat)")]
            let first = try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/forward-auth", headers: headers))
            let routed = try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/forward-auth?via=router", headers: headers))
            let inline = try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/forward-auth", headers: headers))
            #expect(first.status == 200 && routed.status == 200 && inline.status == 200)
            #expect(inline.header("Authorization") == routed.header("Authorization"))
            #expect(inline.headers.map { $0.name.lowercased() } == routed.headers.map { $0.name.lowercased() })
            // A method the route does not allow (orders: GET and POST) is refused the same way.
            let put = headers.map { $0.0 == "X-Forwarded-Method" ? ($0.0, "PUT") : $0 }
            let refusedInline = try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/forward-auth", headers: put))
            let refusedRouted = try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/forward-auth?via=router", headers: put))
            #expect(refusedInline.status == 403 && refusedInline.status == refusedRouted.status)
            #expect(refusedInline.body == refusedRouted.body)
        }
    }

    @Test func aClientThatLeavesWhileHeldLeavesNoFailureInTheAuditTrail() async throws {
        try await FakeUpstream.with(.hang(.milliseconds(500))) { upstream in
            try await LiveServer.withForwardAuth(["PATGATE_UPSTREAM_INTROSPECTION_URL": upstream.url]) { server in
                let request = "GET /authz/auth-request HTTP/1.1\r\nHost: gw\r\nX-Original-URL: \(Self.url)\r\n"
                    + "Authorization: Bearer pgat_gone\r\n\r\n"
                try RawHTTP.sendAndClose(port: server.config.server.port, request, reset: true)
                try await Task.sleep(for: .milliseconds(800))
                let audit = try server.auditText()
                #expect(!audit.contains(#""authz.failed""#) && !audit.contains(#""authz.allowed""#), "\(audit)")
                #expect(try await server.get("/healthz").status == 200)
            }
        }
    }

    @Test func heldAndImmediateAnswersKeepThePipelinesOrder() async throws {
        try await LiveServer.withForwardAuth { server in
            let fresh = try await server.pat().value
            let cached = try await server.pat().value
            #expect(try await authRequest(server, [("Authorization", "Bearer \(cached)")]).status == 200)
            func get(_ path: String, _ pat: String?) -> String {
                "GET \(path) HTTP/1.1\r\nHost: gw\r\nX-Original-URL: \(Self.url)\r\nX-Original-Method: GET\r\n"
                    + (pat.map { "Authorization: Bearer \($0)\r\n" } ?? "") + "\r\n"
            }
            // A PAT exchanged while held; behind it, answered inline when replayed: a cached JWT, a
            // denial; then one for the router and healthz.
            let requests = get("/authz/auth-request", fresh) + get("/authz/auth-request", cached) + get("/authz/auth-request", nil)
                + get("/authz/auth-request?x=1", fresh) + "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n"
            let answer = try await RawHTTP.exchange(port: server.config.server.port, requests)
            let statuses = answer.text.matches(of: /HTTP\/1\.1 (\d{3})/).map { String($0.output.1) }
            #expect(statuses == ["200", "200", "401", "200", "200"], "\(answer.text)")
            let bearers = answer.text.matches(of: /Authorization: Bearer (\S+)/).map { String($0.output.1) }
            #expect(bearers.count == 3 && bearers[0] == bearers[2] && bearers[0] != bearers[1], "the fresh PAT's JWT, the cached one's, the fresh one's again")
            #expect(!answer.closed)
        }
    }

    @Test func whatItDoesNotTakeReachesTheRouterWhole() async throws {
        try await LiveServer.withForwardAuth { server in
            let pat = try await server.pat().value
            let minted = try await authRequest(server, [("Authorization", "Bearer \(pat)")])
            // No `await` from here on: an EmbeddedChannel is used on the thread that made it.
            let channel = EmbeddedChannel()
            let settings = InlineAnswerHandler.Settings(live: server.components.live, introspection: nil,
                                                          clients: ForwardedClient(trusted: []), maxBodyBytes: 4_096,
                                                          serverName: "patgate", logger: Logger(label: "inline-test"),
                                                          forwardAuth: ForwardAuthRoutes(server.components))
            try channel.pipeline.syncOperations.addHandler(InlineAnswerHandler(settings))
            func head(_ method: HTTPMethod = .GET, _ uri: String = "/authz/auth-request", _ extra: [(String, String)] = []) -> HTTPRequestHead {
                HTTPRequestHead(version: .http1_1, method: method, uri: uri,
                                headers: HTTPHeaders([("Host", "gw"), ("X-Original-URL", Self.url)] + extra))
            }
            let cases: [(String, [HTTPServerRequestPart])] = [
                ("HEAD", [.head(head(.HEAD)), .end(nil)]),
                ("POST", [.head(head(.POST)), .end(nil)]),
                ("a query", [.head(head(.GET, "/authz/auth-request?x=1")), .end(nil)]),
                ("Envoy's convention", [.head(head(.GET, "/authz/ext-authz/orders/1")), .end(nil)]),
                ("a body", [.head(head(.GET, "/authz/auth-request", [("Content-Length", "2")])), .body(ByteBuffer(string: "{}")), .end(nil)]),
                ("a chunked body", [.head(head(.GET, "/authz/auth-request", [("Transfer-Encoding", "chunked")])), .end(nil)]),
                ("traceparent", [.head(head(.GET, "/authz/auth-request", [("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")])), .end(nil)]),
                ("a value HTTPTypes would change", [.head(head(.GET, "/authz/auth-request", [("X-Original-Method", "GET\u{1}")])), .end(nil)]),
            ]
            for (name, parts) in cases {
                for part in parts { try channel.writeInbound(part) }
                channel.embeddedEventLoop.run()   // an answer written here would be flushed now
                var passed: [HTTPServerRequestPart] = []
                while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { passed.append(part) }
                #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil, "\(name): not answered here")
                guard case .head(let sent)? = passed.first, case .head(let original)? = parts.first, case .end? = passed.last else {
                    Issue.record("\(name): \(passed)"); continue
                }
                #expect(sent == original && passed.count == parts.count, "\(name)")
                try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
                try channel.writeOutbound(HTTPServerResponsePart.end(nil))
                while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil {}
            }
            // A GET with no credential, taken: answered here (401).
            try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(
                version: .http1_1, method: .GET, uri: "/authz/auth-request", headers: HTTPHeaders([("Host", "gw"), ("X-Original-URL", Self.url)]))))
            try channel.writeInbound(HTTPServerRequestPart.end(nil))
            channel.embeddedEventLoop.run()
            #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
            guard case .head(let answered)? = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
                Issue.record("no answer"); return
            }
            #expect(answered.status == .unauthorized)
            while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil {}
            // A JWT cache hit (the PAT was swapped once over HTTP, above): answered here, 200 and the JWT.
            try channel.writeInbound(HTTPServerRequestPart.head(head(.GET, "/authz/auth-request", [("Authorization", "Bearer \(pat)")])))
            try channel.writeInbound(HTTPServerRequestPart.end(nil))
            channel.embeddedEventLoop.run()
            #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
            guard case .head(let hit)? = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
                Issue.record("no answer to the cache hit"); return
            }
            let jwt = try #require(minted.header("Authorization"))
            #expect(hit.status == .ok && hit.headers["Authorization"] == [jwt])
        }
    }
}
