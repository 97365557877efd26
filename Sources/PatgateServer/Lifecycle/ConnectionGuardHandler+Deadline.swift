import NIOCore
import NIOHTTP1

/// The one timer of a connection and what happens when its deadline passes.
extension ConnectionGuardHandler {
    /// Moves the deadline; the one timer is rescheduled only when it would fire too late.
    func setDeadline(_ newDeadline: NIODeadline, _ context: ChannelHandlerContext) {
        deadline = newDeadline
        guard timer == nil || newDeadline < timerDeadline else { return }
        timer?.cancel()
        timerDeadline = newDeadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: newDeadline) {
            self.timer = nil
            self.timerDeadline = .distantFuture
            self.deadlineReached(context)
        }
    }

    func deadlineReached(_ context: ChannelHandlerContext) {
        guard let deadline else { return }
        if context.eventLoop.now < deadline { return setDeadline(deadline, context) }
        self.deadline = nil
        switch phase {
        case .head(partial: true), .body:
            // No 408 over an answer begun, nor after one already given (a body refused early).
            let owed = phase == .head(partial: true) || (answersOwed > 0 && !answerStarted)
            guard owed else { return closeAfterFlushing(context) }
            // RFC 9110 §15.5.9: the server would not wait any longer for the request.
            let head = HTTPResponseHead(version: .http1_1, status: .requestTimeout,
                                        headers: ["connection": "close", "content-length": "0"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        case .head(partial: false), .idle:
            closeAfterFlushing(context)
        case .answering:
            break
        }
    }

    /// Closes the connection once what was written is on its way: an answer written above
    /// (`InlineAnswerHandler`) may wait for the end of the loop's tick to be flushed, and NIO
    /// drops unflushed writes when it closes.
    func closeAfterFlushing(_ context: ChannelHandlerContext) {
        context.flush()
        context.close(promise: nil)
    }
}
