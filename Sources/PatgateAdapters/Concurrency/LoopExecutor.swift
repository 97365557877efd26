import NIOCore
import NIOPosix

/// A NIO event loop as a Swift task executor, so that a task waiting for another thread (a
/// libcurl driver, a GRDB queue) resumes on the loop that owns its connection.
///
/// Why: `patgate` makes NIO's loops Swift's global executor (docs/ARCHITECTURE.md, "Threads").
/// A job enqueued from a loop thread stays on that loop, but one enqueued from any other thread
/// goes to the next loop in turn, so with two loops half the resumptions from such a thread
/// landed on the loop that does not own the socket, and the answer's write then crossed back:
/// two more thread wake-ups per request. With this executor as the task's preference the job
/// goes straight to its own loop.
public final class LoopExecutor: TaskExecutor {
    /// The loop jobs run on.
    public let loop: any EventLoop

    private static let perThread = ThreadSpecificVariable<LoopExecutor>()

    public init(_ loop: any EventLoop) {
        self.loop = loop
    }

    /// The executor of the event loop running the calling thread; `nil` off the loops (tests
    /// on the default executor, the libcurl driver, read threads), where a task keeps the global executor.
    public static var current: LoopExecutor? {
        if let executor = perThread.currentValue { return executor }
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return nil }
        let executor = LoopExecutor(loop)
        perThread.currentValue = executor
        return executor
    }

    /// The executor of `loop`: the one `current` keeps for that loop's thread when called
    /// there (a request's context is usually made on its connection's loop), else a new one.
    public static func of(_ loop: any EventLoop) -> LoopExecutor {
        if let current, current.loop === loop { return current }
        return LoopExecutor(loop)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
