import Hummingbird
import PatgateAdapters
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the client's
/// address (for login throttling, the audit log and `last_used_ip`).
public struct PatgateRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The client named by a trusted proxy's `X-Forwarded-For` (`ForwardedClientMiddleware`).
    public var forwardedAddress: String?
    /// The connection's event loop as a task executor (`ChannelLoopMiddleware`).
    let loopExecutor: LoopExecutor

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        loopExecutor = LoopExecutor.of(source.channel.eventLoop)
    }

    /// The client's IP address as text (`127.0.0.1`, `::1`), without the port: the peer's, or
    /// the one a trusted proxy forwarded.
    public var clientAddress: String? {
        forwardedAddress ?? remoteAddress?.ipAddress
    }
}
