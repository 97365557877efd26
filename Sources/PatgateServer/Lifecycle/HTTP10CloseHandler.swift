import NIOCore
import NIOHTTP1

/// Answers a request that did not ask to keep the connection (HTTP/1.0 without
/// `Connection: keep-alive`, or any `Connection: close`) with `Connection: close`, and closes
/// the connection once that answer is written (RFC 9112 §9.3).
///
/// It sits before `HTTP1ToHTTPServerCodec`, where the HTTP version is still visible (the
/// `HTTPRequest` after the codec has none); `GracefulCloseHandler` puts it there. A request
/// that keeps the connection pays one enum match per part.
final class HTTP10CloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var closeAfterResponse = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data), !head.isKeepAlive {
            closeAfterResponse = true
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard closeAfterResponse else { return context.write(data, promise: promise) }
        switch unwrapOutboundIn(data) {
        case .head(var head):
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            context.writeAndFlush(data).assumeIsolated().whenComplete { result in
                promise?.completeWith(result)
                context.close(promise: nil)
            }
        case .body:
            context.write(data, promise: promise)
        }
    }
}
