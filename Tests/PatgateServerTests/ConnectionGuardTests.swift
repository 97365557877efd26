import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import PatgateServer
import Testing

/// `ConnectionGuardHandler` on an `EmbeddedChannel`, whose event loop has a manual clock:
/// each bound closes the connection exactly when it passes, never before.
@Suite struct ConnectionGuardTests {
    static let limits = ConnectionLimits(headerTimeout: .seconds(2), bodyTimeout: .seconds(5),
                                         idleTimeout: .seconds(20), maxConnections: 8)
    static let justBefore = TimeAmount.milliseconds(1)

    /// A connected channel with the handler; `registry` as the server would share it.
    func connection(_ registry: ConnectionRegistry? = nil, startingAt start: TimeAmount = .zero) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        channel.embeddedEventLoop.advanceTime(by: start)
        try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(limits: Self.limits, registry: registry))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    func head(_ method: HTTPMethod = .GET, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) -> HTTPServerRequestPart {
        .head(HTTPRequestHead(version: version, method: method, uri: "/healthz", headers: headers))
    }

    /// Writes a whole request, then its answer.
    func answerOneRequest(_ channel: EmbeddedChannel) throws {
        try channel.writeInbound(head())
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        try channel.writeOutbound(HTTPServerResponsePart.head(.init(version: .http1_1, status: .ok)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        _ = try channel.readOutbound(as: HTTPServerResponsePart.self)
        _ = try channel.readOutbound(as: HTTPServerResponsePart.self)
    }

    func answered408(_ channel: EmbeddedChannel) throws -> Bool {
        guard case .head(let head) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { return false }
        return head.status == .requestTimeout && head.headers["connection"] == ["close"]
    }

    @Test func aConnectionThatSendsNothingIsClosedAtTheHeaderTimeoutWithoutAnAnswer() throws {
        let channel = try connection()
        channel.embeddedEventLoop.advanceTime(by: .seconds(2) - Self.justBefore)
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: Self.justBefore)
        #expect(!channel.isActive)
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
    }

    @Test func halfAHeadGets408AndIsClosedAtTheHeaderTimeoutCountedFromTheAccept() throws {
        let channel = try connection()
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        channel.pipeline.fireChannelReadComplete()   // bytes came, no whole head
        channel.embeddedEventLoop.advanceTime(by: .seconds(1) - Self.justBefore)
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: Self.justBefore)
        #expect(try answered408(channel))
        #expect(!channel.isActive)
    }

    @Test func aBodyThatDoesNotFinishGets408AtTheBodyTimeout() throws {
        let channel = try connection()
        try channel.writeInbound(head(.POST, headers: ["content-length": "20000000"]))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5) - Self.justBefore)
        #expect(channel.isActive, "the body bound replaces the header bound")
        channel.embeddedEventLoop.advanceTime(by: Self.justBefore)
        #expect(try answered408(channel))
        #expect(!channel.isActive)
    }

    @Test func aRequestBeingAnsweredIsNeverCutByATimeout() throws {
        let channel = try connection()
        try channel.writeInbound(head())
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(300))
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPServerResponsePart.head(.init(version: .http1_1, status: .ok)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(channel.isActive, "kept alive after the answer")
    }

    @Test func anIdleKeepAliveConnectionIsClosedAtTheIdleTimeoutAfterItsLastAnswer() throws {
        let channel = try connection()
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        try answerOneRequest(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(20) - Self.justBefore)
        #expect(channel.isActive, "the header bound from the accept no longer applies")
        channel.embeddedEventLoop.advanceTime(by: Self.justBefore)
        #expect(!channel.isActive)
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
    }

    @Test func theNextHeadAfterAnAnswerMustCompleteWithinTheHeaderTimeoutOfItsFirstByte() throws {
        let channel = try connection()
        try answerOneRequest(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        channel.pipeline.fireChannelReadComplete()   // the next head begins
        channel.embeddedEventLoop.advanceTime(by: .seconds(2) - Self.justBefore)
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: Self.justBefore)
        #expect(try answered408(channel))
        #expect(!channel.isActive)
    }

    @Test func manyRequestsOnOneConnectionKeepItOpen() throws {
        let channel = try connection()
        for _ in 0..<50 {
            try answerOneRequest(channel)
            channel.embeddedEventLoop.advanceTime(by: .seconds(19))
        }
        #expect(channel.isActive)
    }

    @Test func onAStopAnIdleConnectionLingersThenCloses() throws {
        let channel = try connection()
        try answerOneRequest(channel)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(249))
        #expect(channel.isActive, "a request already on its way is still answered")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func onAStopTheRequestInFlightIsAnsweredWithConnectionCloseThenClosed() throws {
        let channel = try connection()
        try channel.writeInbound(head())
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive, "no linger while a request is being answered")
        try channel.writeOutbound(HTTPServerResponsePart.head(.init(version: .http1_1, status: .ok)))
        guard case .head(let answer) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no answer head")
            return
        }
        #expect(answer.headers["connection"] == ["close"])
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(!channel.isActive)
    }

    @Test func anHTTP10RequestWithoutKeepAliveIsAnsweredWithConnectionCloseAndClosed() throws {
        let channel = try connection()
        try channel.writeInbound(head(version: .http1_0))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        try channel.writeOutbound(HTTPServerResponsePart.head(.init(version: .http1_1, status: .ok)))
        guard case .head(let answer) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no answer head")
            return
        }
        #expect(answer.headers["connection"] == ["close"])
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(!channel.isActive)
    }
}
