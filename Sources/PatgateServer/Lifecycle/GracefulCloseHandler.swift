import HTTPTypes
import NIOCore
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Closes a keep-alive connection without cutting off a request when the server stops.
///
/// Hummingbird closes an idle connection as soon as the server stops; a request the client
/// sent at that moment is lost (connection reset). This handler, placed before Hummingbird's
/// own, takes the stop signal (`ChannelShouldQuiesceEvent`) instead: the next response on the
/// connection carries `Connection: close` and the connection closes once it is written; an
/// idle connection that receives no request within `linger` is closed then.
final class GracefulCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let linger: TimeAmount
    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry?
    private var requestsInProgress = 0
    private var stopping = false
    private var lingerTimer: Scheduled<Void>?

    init(linger: TimeAmount, limits: ConnectionLimits, registry: ConnectionRegistry?) {
        self.linger = linger
        self.limits = limits
        self.registry = registry
    }

    /// Hummingbird adds this handler after `HTTP1ToHTTPServerCodec`; it puts
    /// `ConnectionGuardHandler` before the codec, where the request's HTTP version is visible.
    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        if let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) {
            try? pipeline.addHandler(ConnectionGuardHandler(limits: limits, registry: registry), position: .before(codec))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            requestsInProgress += 1
            lingerTimer?.cancel()
            lingerTimer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where stopping:
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .end:
            requestsInProgress -= 1
            guard stopping, requestsInProgress <= 0 else { return context.write(data, promise: promise) }
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
        default:
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        stopping = true
        if requestsInProgress == 0 { startLinger(context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        lingerTimer?.cancel()
        lingerTimer = nil
        context.fireChannelInactive()
    }

    private func startLinger(_ context: ChannelHandlerContext) {
        lingerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: linger) {
            guard self.requestsInProgress == 0 else { return }
            context.close(promise: nil)
        }
    }
}
