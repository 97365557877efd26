import NIOCore
import NIOHTTP1

/// Bounds how long one connection may take, and closes it when it asked to be closed
/// (README, "Hostile clients"):
///
/// - **head**: a request head must be complete within `headerTimeout` of the accept, or of
///   the first byte that follows an answer; else the connection closes (after a `408` if
///   part of a head came);
/// - **body**: a request body must be complete within `bodyTimeout` of its head; else `408`
///   (unless the answer has begun) and close;
/// - **idle**: a keep-alive connection closes after `idleTimeout` without a request;
/// - a request that does not keep the connection (HTTP/1.0 without `Connection: keep-alive`,
///   or any `Connection: close`) is answered with `Connection: close` and the connection
///   closes once that answer is written (RFC 9112 §9.3);
/// - when the server stops (`ChannelShouldQuiesceEvent`), the next answer carries
///   `Connection: close` and the connection closes once it is written; an idle connection that
///   receives no request within `linger` is closed then. (Hummingbird's own handler would close
///   an idle connection at once, and a request the client sent at that moment would be lost.)
/// - the connection holds a slot of the server's `ConnectionRegistry`.
///
/// It sits before `HTTP1ToHTTPServerCodec` (`PatgateHTTP1Channel` puts it there), where the
/// HTTP version is visible and where `channelReadComplete` tells that bytes came without a
/// whole head. One timer per connection, rescheduled only when a deadline moves earlier: a
/// request that arrives whole costs two clock reads and two atomic stores.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the connection waits for, and so which bound applies.
    enum Phase: Equatable {
        /// A head (`partial`: some of its bytes came), since the accept or the first byte.
        case head(partial: Bool)
        /// The rest of a request whose head came; `timed` once its deadline is set.
        case body(timed: Bool)
        /// The application's answer: no bound here (the routes have their own).
        case answering
        /// The next request on a kept-alive connection.
        case idle
    }

    let limits: ConnectionLimits
    private let registry: ConnectionRegistry?
    private let linger: TimeAmount
    private var lingerTimer: Scheduled<Void>?
    private var slot: ConnectionSlot?
    // The deadline state, shared with ConnectionGuardHandler+Deadline.swift.
    var phase = Phase.head(partial: false)
    var deadline: NIODeadline?
    var timer: Scheduled<Void>?
    var timerDeadline = NIODeadline.distantFuture
    var answersOwed = 0
    var answerStarted = false
    private var closeAfterAnswer = false
    private var started = false

    init(limits: ConnectionLimits, registry: ConnectionRegistry?, linger: TimeAmount = .milliseconds(250)) {
        self.limits = limits
        self.registry = registry
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        start(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            answersOwed += 1
            if !head.isKeepAlive { closeAfterAnswer = true }
            phase = .body(timed: false)
            deadline = nil
            slot?.markBusy()
            lingerTimer?.cancel()
            lingerTimer = nil
        case .end:
            if case .body = phase { phase = .answering; deadline = nil }
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    /// Bytes came in this read: a body still open gets its deadline, and an idle connection
    /// that received part of a head gets the head's.
    func channelReadComplete(context: ChannelHandlerContext) {
        switch phase {
        case .body(timed: false):
            phase = .body(timed: true)
            setDeadline(context.eventLoop.now + limits.bodyTimeout, context)
        case .idle:
            phase = .head(partial: true)
            setDeadline(context.eventLoop.now + limits.headerTimeout, context)
        case .head(partial: false):
            phase = .head(partial: true)
        default:
            break
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            answerStarted = true
            guard closeAfterAnswer else { return context.write(data, promise: promise) }
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            answerStarted = false
            answersOwed -= 1
            if closeAfterAnswer, answersOwed <= 0 {
                context.writeAndFlush(data).assumeIsolated().whenComplete { result in
                    promise?.completeWith(result)
                    context.close(promise: nil)
                }
                return
            }
            if answersOwed <= 0, case .answering = phase {
                let now = context.eventLoop.now
                phase = .idle
                setDeadline(now + limits.idleTimeout, context)
                slot?.markWaiting(at: now)
            }
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        closeAfterAnswer = true
        guard answersOwed <= 0 else { return }
        lingerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: linger) {
            if self.answersOwed <= 0 { self.closeAfterFlushing(context) }
        }
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let now = context.eventLoop.now
        setDeadline(now + limits.headerTimeout, context)
        guard let registry else { return }
        let slot = ConnectionSlot(channel: context.channel, waitingSince: now)
        self.slot = slot
        // At the cap: the connection that waited longest for a head makes room (maybe this one).
        if let victim = registry.open(slot) {
            if victim === slot { self.slot = nil }
            victim.channel.close(promise: nil)
        }
    }

    private func stop() {
        timer?.cancel()
        timer = nil
        lingerTimer?.cancel()
        lingerTimer = nil
        deadline = nil
        if let slot { registry?.close(slot) }
        slot = nil
    }
}
