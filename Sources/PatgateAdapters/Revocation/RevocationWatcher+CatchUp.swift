import Foundation
import Logging
import PatgateCore
import PatgateTelemetry
import Synchronization

extension RevocationWatcher {
    /// Reads and applies every event not applied yet; false when the source failed. `run`
    /// calls it in its loop; the process that revokes calls it right after its write, so its
    /// own cache forgets at once.
    @discardableResult
    public func catchUp() async -> Bool {
        do {
            guard let last = state.withLock({ $0.last }) else {
                // First read: what is cached may predate revocations made before it.
                let latest = try await source.latestRevocation()
                purgeAllCaches()
                finish(at: latest)
                return true
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
            return true
        } catch let gap as RevocationGap {
            // The source cannot continue from our number: anything cached may be stale.
            purgeAllCaches()
            logger.warning("the revocation source cannot resume from the last event applied; the cache was emptied",
                           metadata: ["last": "\(state.withLock { $0.last ?? 0 })", "latest": "\(gap.latest)"])
            finish(at: gap.latest, replacing: true)
            return true
        } catch is CancellationError {
            return false
        } catch {
            if Task.isCancelled { return false }
            let wasUp = state.withLock { state in
                defer { state.status = .down }
                return state.status != .down
            }
            if wasUp {
                logger.warning("revocations cannot be read from \(sourceName); until they can, cache.ttl_seconds bounds revocation",
                               metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
            return false
        }
    }

    private func apply(_ events: [RevocationEvent]) async {
        var tokens: Set<String> = []
        var users: Set<String> = []
        let received = Date().timeIntervalSince1970
        for event in events {
            // Lag: from the event's time (whole seconds, as stored) to its receipt here.
            Meters.revocation(kind: event.kind.rawValue, lagSeconds: received - Double(event.at))
            switch event.kind {
            case .token: tokens.insert(event.subject)
            case .user: users.insert(event.subject)
            }
        }
        var dropped = cache.purge(tokenIDs: tokens, subjects: users)
        for dependent in dependentCaches { dropped += dependent.purge(tokenIDs: tokens, subjects: users) }
        logger.debug("revocations applied", metadata: ["events": "\(events.count)", "dropped": "\(dropped)"])
        for handler in handlers { await handler.revoked(tokenIDs: tokens, users: users) }
    }

    private func purgeAllCaches() {
        cache.purgeAll()
        for dependent in dependentCaches { dependent.purgeAll() }
    }

    private func finish(at sequence: Int64, replacing: Bool = false) {
        let (recovered, advanced) = state.withLock { state in
            let before = state.last
            defer {
                state.last = replacing ? sequence : max(state.last ?? 0, sequence)
                state.status = .live
            }
            return (state.status == .down, before != sequence)
        }
        if advanced { applied.ring() }
        if recovered { logger.info("revocations are read from \(sourceName) again") }
    }
}
