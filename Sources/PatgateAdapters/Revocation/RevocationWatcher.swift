import Logging
import PatgateCore
import ServiceLifecycle
import Synchronization

/// Keeps the validation cache honest: reads the revocations the store records, whoever made
/// them (this process, another replica on the same PostgreSQL, the CLI on the same SQLite
/// file), every `interval`, and purges what they name from the cache (invariant 5 in
/// docs/ARCHITECTURE.md); then `handlers` end what else was issued from those PATs (the
/// PostgreSQL logins, invariant 7). A `Service` of the composition root's group.
///
/// Events are numbered in commit order and kept in the store, so after a gap (the store was
/// down) the watcher resumes where it stopped and misses nothing. While it cannot read them,
/// `cache.ttl_seconds` is the bound again: `status` says so, and the log once.
public final class RevocationWatcher: Service {
    public enum Status: String, Sendable {
        /// Not read yet.
        case starting
        /// Revocations reach the cache within `interval`.
        case live
        /// The store does not answer: the cache TTL bounds revocation.
        case down
    }

    private struct State {
        var last: Int64?
        var status = Status.starting
    }

    private let source: any RevocationSource
    private let cache: CachingTokenValidator
    private let handlers: [any RevocationHandler]
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())
    static let batch = 500

    public init(source: any RevocationSource, cache: CachingTokenValidator, handlers: [any RevocationHandler] = [],
                interval: Duration = .milliseconds(200), logger: Logger) {
        self.source = source
        self.cache = cache
        self.handlers = handlers
        self.interval = interval
        self.logger = logger
    }

    public var status: Status { state.withLock { $0.status } }

    public func run() async {
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                await catchUp()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Reads and applies every event not applied yet. `run` calls it every `interval`; the
    /// process that revokes calls it right after its write, so its own cache forgets at once.
    public func catchUp() async {
        do {
            guard let last = state.withLock({ $0.last }) else {
                // First read: what is cached may predate revocations made before it.
                let latest = try await source.latestRevocation()
                cache.purgeAll()
                finish(at: latest)
                return
            }
            var cursor = last
            while true {
                let events = try await source.revocations(after: cursor, limit: Self.batch)
                guard let newest = events.last else { break }
                await apply(events)
                cursor = newest.sequence
                if events.count < Self.batch { break }
            }
            finish(at: cursor)
        } catch {
            let wasUp = state.withLock { state in
                defer { state.status = .down }
                return state.status != .down
            }
            if wasUp {
                logger.warning("revocations cannot be read from the store; until they can, cache.ttl_seconds bounds revocation",
                               metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
        }
    }

    private func apply(_ events: [RevocationEvent]) async {
        var tokens: Set<String> = []
        var users: Set<String> = []
        for event in events {
            switch event.kind {
            case .token: tokens.insert(event.subject)
            case .user: users.insert(event.subject)
            }
        }
        let dropped = cache.purge(tokenIDs: tokens, subjects: users)
        logger.debug("revocations applied", metadata: ["events": "\(events.count)", "dropped": "\(dropped)"])
        for handler in handlers { await handler.revoked(tokenIDs: tokens, users: users) }
    }

    private func finish(at sequence: Int64) {
        let recovered = state.withLock { state in
            defer {
                state.last = max(state.last ?? 0, sequence)
                state.status = .live
            }
            return state.status == .down
        }
        if recovered { logger.info("revocations are read from the store again") }
    }
}
