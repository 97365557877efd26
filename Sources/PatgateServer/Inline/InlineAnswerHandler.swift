import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import PatgateCore
import PatgateTelemetry

/// Answers `POST /token`, the built-in issuer's `POST /introspect` and a bodiless `GET` of the
/// forward-auth endpoints of Traefik's and nginx's conventions on the event loop that read
/// them, instead of handing them to the router's task: no body stream, no conversion to
/// HTTPTypes and back, no hop to write (docs/ARCHITECTURE.md, "`POST /token`"). What can be
/// decided at once (a cached exchange or forward-auth JWT, any error found without a wait) is
/// answered in the read callback; what must wait (a cache miss, credentials, the store's answer
/// to an introspection) is held while a task on this loop makes its answer (`InlineAnswerHandler+Holding.swift`),
/// and answered when it is done. Each endpoint begins as the router's route would
/// (`InlineAnswerHandler+Endpoints.swift`), and its answer is the very bytes and metrics of
/// the route's, with Hummingbird's `Date` and `Server` headers.
///
/// It sits between `ConnectionGuardHandler` and `HTTP1ToHTTPServerCodec` (`PatgateHTTP1Channel`),
/// on NIO's HTTP/1 parts, so that an answered request is never converted to HTTPTypes and
/// back. It takes a `POST` only when it is one of those (no query) with one form
/// `Content-Type`, at most one `Authorization` that HTTPTypes would keep as it is, a body
/// of at most `Settings.maxBodyBytes`; a forward-auth `GET` only without a body (its headers
/// are read as the route reads them, `ForwardAuthHeaders`). Either way: no `Expect`,
/// no trailers, no `traceparent`, spans are not exported (`TraceContextMiddleware` makes them), the connection
/// is writable (a client that does not read its answers meets the router's back-pressure) and
/// no request it passed on is still being answered (answers keep the requests' order). Every
/// other request goes on to the router unchanged.
final class InlineAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What every connection's handler shares.
    struct Settings: Sendable {
        /// The exchange in force (reloaded on SIGHUP), read once per request as the route does.
        let live: LiveSettings
        /// The built-in issuer's `/introspect`; `nil` without the issuer (the router then
        /// answers its 404).
        let introspection: IntrospectionEndpoint?
        /// The client's address as the router's context would name it.
        let clients: ForwardedClient
        /// The largest body held here; a larger one goes on to the router (and its limit).
        let maxBodyBytes: Int
        /// Hummingbird's `Server` header (`ApplicationConfiguration.serverName`).
        let serverName: String
        let logger: Logger
        /// The forward-auth endpoints; `nil` without `authz` (the router then answers its 404).
        var forwardAuth: ForwardAuthRoutes? = nil
    }

    enum State {
        /// For a request's head.
        case waiting
        /// The body of a request this handler may answer; `started` for the request metrics.
        case collecting(HTTPRequestHead, ByteBuffer?, Endpoint, started: ContinuousClock.Instant?)
        /// The rest of a request passed on to the router.
        case passing
        /// An exchange waits for its subject token's answer; what comes meanwhile is queued.
        case holding
        /// The connection closed: nothing more is written or passed on.
        case closed
    }

    let settings: Settings
    var state = State.waiting
    /// Requests passed on whose answer has not ended yet.
    private var owed = 0
    private var date = HTTPDateHeader()
    /// An answer was written and its flush is due at the end of this loop tick.
    private var flushScheduled = false
    // What holding needs (InlineAnswerHandler+Holding.swift).
    /// What came while a request was held, in order.
    var queued = CircularBuffer<Inbound>()
    /// The channel asked to read while an exchange was held with something queued behind it:
    /// the read is made at its release.
    var readDeferred = false
    /// The held exchange's task, cancelled if the connection closes first.
    var held: Task<Void, Never>?

    init(_ settings: Settings) {
        self.settings = settings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .holding: queued.append(.part(unwrapInboundIn(data)))
        case .closed: break
        default: handle(unwrapInboundIn(data), context: context)
        }
    }

    /// One request part, read now or replayed from `queued`.
    func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.waiting, .head(let head)):
            if owed == 0, context.channel.isWritable, let endpoint = takes(head) {
                state = .collecting(head, nil, endpoint, started: Meters.start())
            } else {
                passOn(head, nil, context: context)
            }
        case (.collecting(let head, let kept, let endpoint, let started), .body(var chunk)):
            state = .waiting   // releases the kept body, so that appending does not copy it
            // The usual body comes in one part: kept as it is, not copied.
            var body = chunk
            if var kept {
                kept.writeBuffer(&chunk)
                body = kept
            }
            if body.readableBytes > settings.maxBodyBytes {
                passOn(head, body, context: context)
            } else {
                state = .collecting(head, body, endpoint, started: started)
            }
        case (.collecting(let head, let body, let endpoint, let started), .end(let trailers)):
            state = .waiting   // before the answer is written: the next request may follow at once
            switch trailers == nil ? begin(endpoint, head, body ?? ByteBuffer(), context: context) : .route {
            case .answer(let parts):
                write(parts, endpoint: endpoint, context: context, started: started)
            case .wait(let answer):
                hold(answer, endpoint: endpoint, context: context, started: started)
            case .route:
                passOn(head, body, context: context)
                context.fireChannelRead(wrapInboundOut(part))
                state = .waiting   // the whole request went on
            }
        case (.passing, .end):
            state = .waiting
            context.fireChannelRead(wrapInboundOut(part))
        default:
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), owed > 0 { owed -= 1 }
        context.write(data, promise: promise)
    }

    /// Removed from the pipeline (nothing does that today): what this tick wrote leaves now.
    func handlerRemoved(context: ChannelHandlerContext) {
        if flushScheduled { context.flush() }
    }

    /// A close asked for from above (the router, after the end of input or a decoder error)
    /// sends what this tick wrote first: NIO drops unflushed writes when a channel closes.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if flushScheduled { context.flush() }
        context.close(mode: mode, promise: promise)
    }

    /// The endpoint of a request this handler may hold until its end (see the type's comment).
    private func takes(_ head: HTTPRequestHead) -> Endpoint? {
        // A `traceparent` binds its trace to the work and the log lines (`TraceContextMiddleware`).
        guard !Tracing.isEnabled, !head.headers.contains(name: "expect"), !head.headers.contains(name: "traceparent") else { return nil }
        if head.method == .GET { return takesForwardAuth(head) }
        guard head.method == .POST else { return nil }
        let endpoint: Endpoint
        switch head.uri {
        case "/token": endpoint = .token
        case "/introspect" where settings.introspection != nil: endpoint = .introspection
        default: return nil
        }
        let types = head.headers["content-type"]
        guard types.count == 1, FormRequest.isFormURLEncoded(types[0]) else { return nil }
        let authorization = head.headers["authorization"]
        guard authorization.count <= 1, authorization.allSatisfy({ HTTPField.isValidValue($0) }) else { return nil }
        let lengths = head.headers["content-length"]
        guard let length = lengths.first else { return endpoint }   // chunked: bounded as it comes
        return lengths.count == 1 && Int(length).map { $0 <= settings.maxBodyBytes } ?? false ? endpoint : nil
    }

    /// A `GET` of a forward-auth endpoint with no body (its headers are read in `begin`).
    private func takesForwardAuth(_ head: HTTPRequestHead) -> Endpoint? {
        guard settings.forwardAuth != nil else { return nil }
        let convention: ForwardAuthRoutes.Convention
        switch head.uri {
        case ForwardAuthRoutes.Convention.forwardAuth.path: convention = .forwardAuth
        case ForwardAuthRoutes.Convention.authRequest.path: convention = .authRequest
        default: return nil
        }
        guard !head.headers.contains(name: "transfer-encoding"),
              head.headers["content-length"].allSatisfy({ $0 == "0" }) else { return nil }
        return .forwardAuth(convention)
    }

    /// Writes an answer as the router would: `Content-Length`, `Date`, `Server`, request metrics.
    func write(_ parts: JSONResponse.Parts, endpoint: Endpoint, context: ChannelHandlerContext, started: ContinuousClock.Instant?) {
        var head = parts.head
        head.headerFields[.contentLength] = String(parts.body.readableBytes)
        head.headerFields[.date] = date.now()
        head.headerFields[.server] = settings.serverName
        if let started {
            Meters.httpRequest(route: endpoint.route, method: endpoint.method, status: head.status.code,
                               nanoseconds: Meters.nanoseconds(since: started))
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(head))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(parts.body))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        flushAfterThisTick(context: context)
    }

    /// Flushes the answers written so far once the loop has handled every connection that was
    /// ready with this one (its tasks run after the I/O events of its wake-up), not after each
    /// answer: a client thread woken by the first answer's bytes finds the others there too,
    /// where waking it once per answer (a cross-CPU interrupt) cost more than a cache hit's own
    /// work (docs/ARCHITECTURE.md, "`POST /token`"). A lone request is flushed in the same tick.
    private func flushAfterThisTick(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            context.flush()
        }
    }

    /// Hands the request read so far to the router; its remaining parts follow as they come.
    private func passOn(_ head: HTTPRequestHead, _ body: ByteBuffer?, context: ChannelHandlerContext) {
        owed += 1
        state = .passing
        context.fireChannelRead(wrapInboundOut(.head(head)))
        if let body { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }
}
