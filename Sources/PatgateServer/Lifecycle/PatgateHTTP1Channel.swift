import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 channel with `ConnectionGuardHandler` before the codec: the pipeline
/// of `HTTP1Channel` (decoder limits, no pipelining assistance, Hummingbird's own error and
/// connection-state handling), plus the one handler that bounds the connection, closes it when
/// asked and on a stop (docs/ARCHITECTURE.md, "Lifecycle"), and, after it,
/// `InlineAnswerHandler`, which answers token exchanges that need no wait. Its own type rather than
/// `HTTP1Channel.Configuration.additionalChannelHandlers`, which can only add handlers after
/// the codec, where neither the HTTP version nor a read that brought no whole head is seen.
struct PatgateHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let registry: ConnectionRegistry
    /// How long an idle connection stays open once the server stops (`ConnectionGuardHandler`).
    let linger: TimeAmount
    /// `nil`: every request goes to the router.
    let inline: InlineAnswerHandler.Settings?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()   // 80 KiB a field, 80 KiB of fields
            decoderLimits.maxHeaderFieldCount = 1_000                 // as HTTP1Channel's default
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,      // requests are taken one at a time by the async channel
                withErrorHandling: false,             // Hummingbird answers errors itself
                withOutboundHeaderValidation: false,  // HTTPTypes validated them already
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits)
            try pipeline.addHandler(ConnectionGuardHandler(limits: limits, registry: registry, linger: linger))
            if let inline { try pipeline.addHandler(InlineAnswerHandler(inline)) }
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(HTTPConnectionStateHandler(logger: logger))
            let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            // A connection accepted as the server stops may never reach the server's loop, and
            // NIO ends the process when a writer nobody finished is released ("Deinited
            // NIOAsyncWriter without calling finish()"). Holding the writer until the channel
            // closes, and finishing it then, keeps that stop an orderly one.
            let outbound = asyncChannel.outbound
            channel.closeFuture.whenComplete { _ in outbound.finish() }
            return asyncChannel
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}
