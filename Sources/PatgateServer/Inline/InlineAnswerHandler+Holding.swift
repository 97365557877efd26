import NIOCore
import NIOHTTP1
import PatgateAdapters
import PatgateCore

/// Holding an exchange that waits for its subject token's answer (a cache miss): the request
/// was read, its client authenticated and its form parsed once (`TokenExchangeService.begin`);
/// `finish` waits for the upstream (or joins the call in flight) on the connection's loop, and
/// the answer is written there. Meanwhile the handler keeps the requests' order: what the
/// decoder still delivers (parts, the end of input, errors) is queued, and once something is
/// queued the channel's reads are deferred, so a pipelining client is held back by TCP instead of
/// filling a buffer (docs/ARCHITECTURE.md, "`POST /token`").
extension InlineAnswerHandler {
    /// An inbound event held back behind a held request: a request part, the end of the
    /// client's input (a client that half-closes after its request still gets its answer), an
    /// error (a malformed request after it).
    enum Inbound {
        case part(HTTPServerRequestPart)
        case event(Any)
        case error(any Error)
    }

    var isHolding: Bool {
        if case .holding = state { return true }
        return false
    }

    func hold(_ answer: @escaping @Sendable () async -> JSONResponse.Parts, endpoint: Endpoint,
              context: ChannelHandlerContext, started: ContinuousClock.Instant?) {
        state = .holding
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        // Unstructured on purpose: a channel handler is not a task, and the request it holds
        // belongs to the connection, which cancels it if it closes first (`channelInactive`).
        // It runs on the connection's loop (`LoopExecutor`), where its answer is written.
        held = Task(executorPreference: LoopExecutor.of(loop)) {
            let parts = await answer()
            if loop.inEventLoop {
                bound.value.handler.release(parts, endpoint: endpoint, context: bound.value.context, started: started)
            } else {
                loop.execute { bound.value.handler.release(parts, endpoint: endpoint, context: bound.value.context, started: started) }
            }
        }
    }

    /// On the loop: writes the held request's answer, then takes up what came meanwhile.
    private func release(_ parts: JSONResponse.Parts, endpoint: Endpoint, context: ChannelHandlerContext,
                         started: ContinuousClock.Instant?) {
        held = nil
        guard isHolding else { return }   // the connection closed meanwhile
        state = .waiting
        write(parts, endpoint: endpoint, context: context, started: started)
        var replayed = false
        while !isHolding, let inbound = queued.popFirst() {
            switch inbound {
            case .part(let part): handle(part, context: context)
            case .event(let event): context.fireUserInboundEventTriggered(event)
            case .error(let error): context.fireErrorCaught(error)
            }
            replayed = true
        }
        // What went on to the router is delivered to its task at a read's end.
        if replayed { context.fireChannelReadComplete() }
        if !isHolding, readDeferred {
            readDeferred = false
            context.read()
        }
    }

    /// A read is deferred only when a held request has something queued behind it: a client
    /// that waits for its answer sends nothing meanwhile, and deferring its read would take the
    /// socket out of the poll set and put it back, two `epoll_ctl` calls per held request.
    func read(context: ChannelHandlerContext) {
        if isHolding, !queued.isEmpty {
            readDeferred = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if isHolding {
            queued.append(.event(event))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if isHolding {
            queued.append(.error(error))
        } else {
            context.fireErrorCaught(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        queued.removeAll()
        held?.cancel()
        held = nil
        context.fireChannelInactive()
    }
}
