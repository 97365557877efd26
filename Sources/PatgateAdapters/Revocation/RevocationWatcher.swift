import Logging
import PatgateCore
import ServiceLifecycle
import Synchronization

/// Keeps the validation cache honest: reads the revocations its source records (the store:
/// this process, another replica on the same PostgreSQL, the CLI on the same SQLite file; or
/// the issuer's revocation feed, for a gateway-only deployment), and purges what they name
/// from the cache (invariant 5 in docs/ARCHITECTURE.md); then `handlers` end what else was
/// issued from those PATs (the PostgreSQL logins, invariant 7). A `Service` of the composition
/// root's group.
///
/// It reads every `interval`, at once when `wake()` is called (a PostgreSQL notification), and
/// without pausing from a source that waits for events itself (the feed's long poll). While a
/// push channel reports itself live (`pushChannel(isLive:)`), the polling is only the safety
/// net and relaxes to `pushInterval`, still well within the one-second bound should a
/// notification be lost.
///
/// Events are numbered in commit order, so after a gap (the source was down) the watcher
/// resumes where it stopped and misses nothing; failed reads are retried with a backoff of up
/// to `maximumBackoff`. While it cannot read, `cache.ttl_seconds` is the bound again: `status`
/// says so, and the log once.
public final class RevocationWatcher: Service {
    public enum Status: String, Sendable {
        /// Not read yet.
        case starting
        /// Revocations reach the cache within a second.
        case live
        /// The source does not answer: the cache TTL bounds revocation.
        case down
    }

    struct State {
        var last: Int64?
        var status = Status.starting
        var pushLive = false
    }

    let source: any RevocationSource
    let cache: CachingTokenValidator
    /// Purged with `cache` by the same events: forward auth's JWT cache.
    let dependentCaches: [any RevocationPurgeable]
    /// Told of every batch after the cache: what else ends with a revoked PAT.
    let handlers: [any RevocationHandler]
    let interval: Duration
    let pushInterval: Duration
    let maximumBackoff: Duration
    /// What the log calls the source ("the store", "the revocation feed").
    let sourceName: String
    let logger: Logger
    let state = Mutex(State())
    /// Rung by `wake()`: the run loop's pause ends at once.
    let wakes = WakeSignal()
    /// Rung whenever events were applied: the issuer's revocation feed answers its long polls.
    public let applied = WakeSignal()
    static let batch = RevocationFeedPage.maximumEvents

    public init(source: any RevocationSource, cache: CachingTokenValidator, dependentCaches: [any RevocationPurgeable] = [],
                handlers: [any RevocationHandler] = [],
                interval: Duration = .milliseconds(200),
                pushInterval: Duration = .milliseconds(500), maximumBackoff: Duration = .seconds(5),
                sourceName: String = "the store", logger: Logger) {
        self.source = source
        self.cache = cache
        self.dependentCaches = dependentCaches
        self.handlers = handlers
        self.interval = interval
        self.pushInterval = pushInterval
        self.maximumBackoff = maximumBackoff
        self.sourceName = sourceName
        self.logger = logger
    }

    public var status: Status { state.withLock { $0.status } }

    /// The number of the last event applied; `nil` before the first read.
    public var lastApplied: Int64? { state.withLock { $0.last } }

    /// Ends the run loop's pause: there are new events to read (a PostgreSQL notification).
    public func wake() { wakes.ring() }

    /// A push channel (PostgreSQL `LISTEN`) tells whether it currently delivers; while it does,
    /// polling relaxes to `pushInterval`. Becoming live also reads at once: events committed
    /// while the channel was down are caught up.
    public func pushChannel(isLive: Bool) {
        state.withLock { $0.pushLive = isLive }
        if isLive { wake() }
    }

    public func run() async {
        await cancelWhenGracefulShutdown { [self] in
            var backoff = interval
            while !Task.isCancelled {
                let generation = wakes.generation
                let appliedBefore = applied.generation
                let started = ContinuousClock.now
                let pause: Duration
                if await catchUp() {
                    backoff = interval
                    if source.waitsForEvents {
                        // Ask again at once, unless the long poll came back empty without
                        // waiting (an issuer that does not wait must not make this loop spin).
                        let waited = ContinuousClock.now - started >= interval
                        pause = waited || applied.generation != appliedBefore ? .zero : interval
                    } else {
                        pause = state.withLock { $0.pushLive } ? pushInterval : interval
                    }
                } else {
                    pause = backoff
                    backoff = min(backoff * 2, maximumBackoff)
                }
                await wakes.wait(beyond: generation, upTo: pause)
            }
        }
    }
}
