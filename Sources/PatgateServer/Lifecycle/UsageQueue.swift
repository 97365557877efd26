import Logging
import PatgateCore
import ServiceLifecycle

/// Records PAT uses (`last_used_at`, address, `pat.used`) in the background, so a request
/// never waits for the store: a `Service` of the composition root's group. When the group
/// stops, after the HTTP server, the uses still queued are written before the store closes.
public final class UsageQueue: Service {
    private struct Use: Sendable {
        let token: PersonalAccessToken
        let address: String?
    }

    private let recorder: UsageRecorder
    private let logger: Logger
    private let stream: AsyncStream<Use>
    private let continuation: AsyncStream<Use>.Continuation
    /// Store writes in flight at once.
    private let concurrency: Int

    init(recorder: UsageRecorder, logger: Logger, capacity: Int = 10_000, concurrency: Int = 4) {
        self.recorder = recorder
        self.logger = logger
        self.concurrency = concurrency
        (stream, continuation) = AsyncStream.makeStream(of: Use.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Queues a use of `token` (throttled: at most once a minute per token); never waits.
    func record(_ token: PersonalAccessToken, address: String?) {
        guard recorder.claim(token.id) else { return }
        if case .dropped = continuation.yield(Use(token: token, address: address)) {
            logger.warning("usage queue full: a PAT use was not recorded", metadata: ["token_id": "\(token.id)"])
        }
    }

    public func run() async {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for await use in stream {
                    if running == concurrency {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await self.write(use) }
                    running += 1
                }
            }
        } onGracefulShutdown: {
            self.continuation.finish()   // the loop writes what is queued, then ends
        }
    }

    private func write(_ use: Use) async {
        do {
            try await recorder.record(use.token, address: use.address)
        } catch {
            logger.warning("could not record a PAT use", metadata: ["token_id": "\(use.token.id)"])
        }
    }
}
