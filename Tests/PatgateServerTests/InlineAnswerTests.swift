import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import PatgateCore
@testable import PatgateServer
import Testing

/// `InlineAnswerHandler`: a cached exchange is answered on the event loop, like the router
/// would answer it; every other request reaches the router whole and in order. (A held cache
/// miss: `InlineAnswerHoldingTests`.)
@Suite struct InlineAnswerTests {
    /// The handler of `server`'s exchange on an `EmbeddedChannel`: what it passes on is read
    /// inbound, what it answers outbound.
    func channel(_ server: LiveServer, maxBodyBytes: Int = 4_096) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let settings = InlineAnswerHandler.Settings(live: server.components.live, introspection: nil,
                                                      clients: ForwardedClient(trusted: []), maxBodyBytes: maxBodyBytes,
                                                      serverName: "patgate", logger: Logger(label: "inline-test"))
        try channel.pipeline.syncOperations.addHandler(InlineAnswerHandler(settings))
        return channel
    }

    func request(_ body: String, method: HTTPMethod = .POST, path: String = "/token",
                 headers extra: [(String, String)] = [], chunks: Int = 1, lengthKnown: Bool = true) -> [HTTPServerRequestPart] {
        var headers = HTTPHeaders([("Host", "gw")])
        if !extra.contains(where: { $0.0 == "Content-Type" }) { headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded") }
        if lengthKnown { headers.add(name: "Content-Length", value: String(body.utf8.count)) }
        headers.add(contentsOf: extra)
        let bytes = Array(body.utf8)
        let size = (bytes.count + chunks - 1) / chunks
        let parts = stride(from: 0, to: bytes.count, by: max(1, size)).map {
            HTTPServerRequestPart.body(ByteBuffer(bytes: bytes[$0..<min($0 + size, bytes.count)]))
        }
        return [.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers))] + parts + [.end(nil)]
    }

    /// Sends `parts` and lets the loop run its tasks (the answers' flush); returns what reached
    /// the router and what the handler answered itself.
    func send(_ parts: [HTTPServerRequestPart], on channel: EmbeddedChannel) throws
        -> (passed: [HTTPServerRequestPart], answered: [HTTPServerResponsePart]) {
        for part in parts { try channel.writeInbound(part) }
        channel.embeddedEventLoop.run()
        var passed: [HTTPServerRequestPart] = [], answered: [HTTPServerResponsePart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { passed.append(part) }
        while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) { answered.append(part) }
        return (passed, answered)
    }

    /// The router's answers to `count` requests passed on, as they go through the handler.
    func routerAnswers(_ count: Int, on channel: EmbeddedChannel) throws {
        for _ in 0..<count {
            try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
            try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        }
        while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil {}
    }

    /// A body part's text.
    func text(_ part: HTTPServerResponsePart?) -> String? {
        guard case .body(.byteBuffer(let buffer)) = part else { return nil }
        return String(buffer: buffer)
    }

    func exchangeBody(_ pat: String, client: String = "client_id=cli") -> String {
        "\(TokenEndpointTests.grant)&\(client)&subject_token=\(pat)"
    }

    func newPAT(_ server: LiveServer) async throws -> String {
        try await TokenEndpointTests().newPAT(server, scopes: ["openid", "profile"]).1
    }

    @Test func aCachedExchangeIsAnsweredAtOnceAsTheRouterAnswersIt() async throws {
        try await LiveServer.with { server in
            let pat = try await newPAT(server)
            let routed = try await server.post("/token?via=router", exchangeBody(pat))   // a query: the router answers
            #expect(routed.status == 200)
            let channel = try channel(server)
            let inline = try send(request(exchangeBody(pat)), on: channel)
            #expect(inline.passed.isEmpty)
            guard inline.answered.count == 3, case .head(let head) = inline.answered[0], let body = text(inline.answered[1]),
                  case .end(nil) = inline.answered[2] else { Issue.record("\(inline.answered)"); return }
            #expect(head.status == .ok && head.version == .http1_1)
            // The same fields, in the same order, as the router's answer over HTTP.
            #expect(head.headers.map { $0.name.lowercased() } == routed.headers.map { $0.name.lowercased() })
            for (name, value) in head.headers where name != "Date" && name != "Content-Length" {
                #expect(routed.header(name) == value, "\(name)")
            }
            #expect(head.headers["Content-Length"] == [String(body.utf8.count)])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let routedJSON = try server.json(routed)
            #expect(json["token_type"] as? String == "Bearer" && json["scope"] as? String == routedJSON["scope"] as? String)
            #expect(json["expires_in"] as? Int == routedJSON["expires_in"] as? Int)
            #expect((json["access_token"] as? String)?.split(separator: ".").count == 3)
        }
    }

    @Test func answersAreFlushedOnceTheLoopHandledItsReadsNotEachAtOnce() async throws {
        try await LiveServer.with { server in
            let pat = try await newPAT(server)
            _ = try await server.post("/token", exchangeBody(pat))
            let channel = try channel(server)
            let counter = OutboundCounter()
            try channel.pipeline.syncOperations.addHandler(counter, position: .first)
            // Three pipelined hits read in one go: answered, but nothing leaves until the loop's tasks run.
            for part in request(exchangeBody(pat)) + request(exchangeBody(pat)) + request(exchangeBody(pat)) {
                try channel.writeInbound(part)
            }
            #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
            #expect(counter.flushes == 0)
            channel.embeddedEventLoop.run()
            #expect(counter.flushes == 1, "one flush for the three answers")
            var answered: [HTTPServerResponsePart] = []
            while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) { answered.append(part) }
            #expect(answered.count == 9)
            // A lone request later gets its own flush in its own tick.
            _ = try send(request(exchangeBody(pat)), on: channel)
            #expect(counter.flushes == 2)
        }
    }

    @Test func answersKeepTheRequestsOrder() async throws {
        try await LiveServer.with { server in
            let pat = try await newPAT(server)
            _ = try await server.post("/token", exchangeBody(pat))
            let channel = try channel(server)
            let health = try send([.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/healthz")), .end(nil)], on: channel)
            #expect(health.passed.count == 2)
            // The router has not answered /healthz yet: this exchange must wait behind it.
            let behind = try send(request(exchangeBody(pat)), on: channel)
            #expect(behind.passed.count == 3 && behind.answered.isEmpty)
            try routerAnswers(2, on: channel)
            let next = try send(request(exchangeBody(pat)), on: channel)
            #expect(next.passed.isEmpty && next.answered.count == 3, "both answers written: the next is answered at once")
        }
    }

    @Test func whatItDoesNotDecideReachesTheRouterWhole() async throws {
        try await LiveServer.with { server in
            let pat = try await newPAT(server)
            _ = try await server.post("/token", exchangeBody(pat))
            let channel = try channel(server, maxBodyBytes: 300)
            let body = exchangeBody(pat)
            let cases: [(String, [HTTPServerRequestPart])] = [
                ("a query", request(body, path: "/token?x=1")),
                ("another method", request(body, method: .PUT)),
                ("another type", request(body, headers: [("Content-Type", "application/json")])),
                ("two types", request(body, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Type", "text/plain")])),
                ("Expect", request(body, headers: [("Expect", "100-continue")])),
                ("two Authorization fields", request(body, headers: [("Authorization", "Basic a"), ("Authorization", "Basic b")])),
                ("a declared length over the bound", request(body + "&pad=" + String(repeating: "a", count: 300))),
                ("an undeclared length over the bound", request(body + "&pad=" + String(repeating: "a", count: 300), chunks: 3, lengthKnown: false)),
            ]
            for (name, parts) in cases {
                let sent = try send(parts, on: channel)
                #expect(sent.answered.isEmpty, "\(name)")
                guard case .head(let head) = sent.passed.first, case .end = sent.passed.last,
                      case .head(let original) = parts.first else { Issue.record("\(name): \(sent.passed)"); continue }
                #expect(head == original, "\(name)")
                let bodies = sent.passed.compactMap { if case .body(let chunk) = $0 { String(buffer: chunk) } else { nil } }
                let sentBodies = parts.compactMap { if case .body(let chunk) = $0 { String(buffer: chunk) } else { nil } }
                #expect(bodies.joined() == sentBodies.joined(), "\(name): the body arrives whole")
                try routerAnswers(1, on: channel)
            }
            let chunked = try send(request(body, chunks: 3, lengthKnown: false), on: channel)
            #expect(chunked.passed.isEmpty && chunked.answered.count == 3, "a small chunked body is collected and answered")
        }
    }

    @Test func failuresItCanDecideAreAnsweredInTheRoutersErrorForm() async throws {
        try await LiveServer.with { server in
            let pat = try await newPAT(server)
            _ = try await server.post("/token", exchangeBody(pat))
            let cases: [(String, Int, String)] = [
                (exchangeBody(pat, client: "client_id=ci&client_secret=wrong"), 401, "invalid_client"),
                (exchangeBody(pat) + "&scope=admin", 400, "invalid_scope"),
                (exchangeBody(pat) + "&audience=evil", 400, "invalid_target"),
                (exchangeBody(pat) + "&x=%zz", 400, "invalid_request"),
            ]
            var routedAnswers: [CurlResponse] = []
            for (body, _, _) in cases { routedAnswers.append(try await server.post("/token?via=router", body)) }
            // No `await` from here on: an EmbeddedChannel is used only on the thread that made it.
            let channel = try channel(server)
            for ((body, status, code), routed) in zip(cases, routedAnswers) {
                let sent = try send(request(body), on: channel)
                guard case .head(let head) = sent.answered.first, let answer = text(sent.answered.dropFirst().first) else {
                    Issue.record("\(code): \(sent)"); continue
                }
                #expect(routed.status == status && Int(head.status.code) == status, "\(code)")
                #expect(answer == String(decoding: routed.body, as: UTF8.self), "\(code)")
                #expect(head.headers["WWW-Authenticate"].first == routed.header("WWW-Authenticate"), "\(code)")
                #expect(!answer.contains(pat))
            }
        }
    }

    @Test func aRealConnectionGetsPipelinedAnswersInOrder() async throws {
        try await LiveServer.with { server in
            let pat = try await newPAT(server)
            _ = try await server.post("/token", exchangeBody(pat))
            let requests = rawPost("/token", exchangeBody(pat)) + "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n"
                + rawPost("/token?via=router", exchangeBody(pat)) + rawPost("/token", exchangeBody(pat, client: "client_id=nobody"))
                + rawPost("/token", exchangeBody(pat))
            let answer = try await RawHTTP.exchange(port: server.config.server.port, requests)
            let statuses = answer.text.matches(of: /HTTP\/1\.1 (\d{3})/).map { String($0.output.1) }
            #expect(statuses == ["200", "200", "200", "401", "200"], "\(answer.text)")
            let bodies = answer.text.matches(of: /\r\n\r\n(\{"[a-z_]+")/).map { String($0.output.1) }
            #expect(bodies == [#"{"access_token""#, #"{"status""#, #"{"access_token""#, #"{"error""#, #"{"access_token""#])
            #expect(!answer.closed)
        }
    }

    @Test func anAnswerWhoseFlushWaitsForTheTickStillPrecedesTheEndOfInputOrAnError() async throws {
        try await LiveServer.with { server in
            let pat = try await newPAT(server)
            _ = try await server.post("/token", exchangeBody(pat))
            let port = server.config.server.port
            // The client shuts its sending side right after a cache hit, or after an error decided at once.
            for (body, status) in [(exchangeBody(pat), "200"), (exchangeBody(pat, client: "client_id=nobody"), "401")] {
                let answer = try await RawHTTP.exchange(port: port, rawPost("/token", body), halfClose: true)
                #expect(answer.text.hasPrefix("HTTP/1.1 \(status) "), "\(answer.text)")
                #expect(answer.closed)
            }
            // Bytes that are no request, in the same packet as a cache hit: its answer still comes first.
            let garbled = try await RawHTTP.exchange(port: port, rawPost("/token", exchangeBody(pat)) + "NOT HTTP\r\n\r\n")
            #expect(garbled.text.hasPrefix("HTTP/1.1 200 "), "\(garbled.text)")
            #expect(garbled.text.contains(#"{"access_token""#))
        }
    }

    @Test func aHeldRequestDefersReadsOnlyOnceSomethingIsQueuedBehindIt() async throws {
        try await LiveServer.with { server in
            let channel = try channel(server)
            let counter = OutboundCounter()
            try channel.pipeline.syncOperations.addHandler(counter, position: .first)
            let handler = try channel.pipeline.syncOperations.handler(type: InlineAnswerHandler.self)
            handler.state = .holding
            channel.read()
            #expect(counter.reads == 1, "a client that waits for its answer keeps its socket read")
            try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/healthz")))
            channel.read()
            #expect(counter.reads == 1, "a pipelining client is held back by TCP")
            #expect(handler.readDeferred)
            #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil, "the request behind waits its turn")
        }
    }

    @Test func theDateHeaderIsAnIMFFixdate() {
        #expect(HTTPDateHeader.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")   // RFC 9110 §5.6.7's example
        #expect(HTTPDateHeader.format(1_796_315_714) == "Thu, 03 Dec 2026 16:35:14 GMT")
    }
}

/// Counts the reads and the flushes the channel's handlers ask for (outbound, before the socket).
final class OutboundCounter: ChannelOutboundHandler {
    typealias OutboundIn = Never
    var reads = 0
    var flushes = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }

    func flush(context: ChannelHandlerContext) {
        flushes += 1
        context.flush()
    }
}

/// A raw HTTP/1.1 form `POST`, for pipelining several requests on one connection.
func rawPost(_ path: String, _ body: String) -> String {
    "POST \(path) HTTP/1.1\r\nHost: gw\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
}
