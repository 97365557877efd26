import Logging
import PatgateCore
import ServiceLifecycle
import Synchronization

/// Records PAT uses (`last_used_at`, address, `pat.used`) in the background, so a request
/// never waits for the store: a `Service` of the composition root's group. One write runs at a
/// time, and the uses queued while it runs go in the next one as a batch (one transaction, one
/// `fdatasync` on SQLite), so a burst of new PATs costs a few writes, not one each. The writer
/// lingers a second after the first use of a batch, so that under load a batch is thousands of
/// uses, not the few that came during the last write: every commit also makes each SQLite
/// reader drop its page cache, and a cache miss's store read then pays for its pages again, and
/// a larger batch writes each table page it touches once for many rows (BENCHMARKS.md, "Issue
/// 14", sessions 20 and 30). A use is recorded at most once a minute per token anyway, so the
/// second's delay costs `last_used_at` nothing a reader could notice. When the group stops, after
/// the HTTP server, the uses still queued are written before the store closes.
public final class UsageQueue: Service {
    private typealias Use = (token: PersonalAccessToken, address: String?)

    private struct Queue {
        var uses: [Use] = []
        var dropped = 0
        /// The writer was signalled and has not taken the uses yet: later uses need no signal.
        var signalled = false
    }

    private let recorder: UsageRecorder
    private let logger: Logger
    private let queue = Mutex(Queue())
    /// Says "there is work"; holds at most one signal, as the writer takes everything queued.
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    /// The most uses waiting at once; more are dropped (and counted in a warning).
    private let capacity: Int
    /// The most uses written in one transaction.
    private let batchLimit: Int
    /// How long the writer waits, once signalled, for more uses to join the batch.
    private let linger: Duration

    init(recorder: UsageRecorder, logger: Logger, capacity: Int = 20_000, batchLimit: Int = 5_000,
         linger: Duration = .seconds(1)) {
        self.recorder = recorder
        self.logger = logger
        self.capacity = capacity
        self.batchLimit = batchLimit
        self.linger = linger
        (wake, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a use of `token` (throttled: at most once a minute per token); never waits. A use
    /// refused because the queue is full does not count against the throttle.
    func record(_ token: PersonalAccessToken, address: String?) {
        let signal = queue.withLock { queue -> Bool in
            guard queue.uses.count < capacity else {
                queue.dropped += 1
                return false
            }
            guard recorder.claim(token.id) else { return false }
            queue.uses.append((token, address))
            let first = !queue.signalled
            queue.signalled = true
            return first
        }
        if signal { wakeContinuation.yield() }
    }

    public func run() async {
        await withGracefulShutdownHandler {
            for await _ in wake {
                // A stop ends the linger at once: what is queued is written without waiting it out.
                try? await cancelWhenGracefulShutdown { [linger] in try await Task.sleep(for: linger) }
                await writeQueued()
            }
            await writeQueued()   // what came after the last signal was taken
        } onGracefulShutdown: {
            self.wakeContinuation.finish()   // the loop writes what is queued, then ends
        }
    }

    /// Writes everything queued now, in batches of at most `batchLimit`.
    private func writeQueued() async {
        while true {
            let (batch, dropped) = queue.withLock { queue -> ([Use], Int) in
                let batch = Array(queue.uses.prefix(batchLimit))
                queue.uses.removeFirst(batch.count)
                queue.signalled = false
                defer { queue.dropped = 0 }
                return (batch, queue.dropped)
            }
            if dropped > 0 {
                logger.warning("usage queue full: PAT uses were not recorded", metadata: ["dropped": "\(dropped)"])
            }
            guard !batch.isEmpty else { return }
            do {
                try await recorder.record(batch)
            } catch {
                logger.warning("could not record PAT uses", metadata: ["count": "\(batch.count)", "error": "\(type(of: error))"])
            }
        }
    }
}
