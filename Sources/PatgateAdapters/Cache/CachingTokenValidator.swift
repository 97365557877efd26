import PatgateCore
import PatgateTelemetry
import Synchronization

/// Remembers validation answers and merges concurrent misses for one token into one
/// upstream call (single-flight). Errors are never cached: the next request asks again.
public final class CachingTokenValidator: SubjectTokenValidator {
    /// An answer kept: 48 bytes in the table with its digest and deadline.
    private struct Answer {
        /// `nil`: inactive.
        let subject: CachedSubject?

        var result: ValidationResult { subject.map { ValidationResult.active($0.identity) } ?? .inactive }
    }

    /// One upstream call and how many requests still wait for it.
    private struct Flight {
        let task: Task<ValidationResult, any Error>
        var waiting: Int
        /// `State.purges` when the call started: an answer that raced a purge is not kept.
        let purges: UInt64
    }

    private struct State {
        var entries: ExpiringTable<TokenDigest, Answer>
        var inFlight: [TokenDigest: Flight] = [:]
        var purges: UInt64 = 0
        var statistics = Statistics()
        var compactor: SubjectCompactor
    }

    /// Counters for tests, benchmarks and metrics.
    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var upstreamCalls = 0
    }

    private let upstream: any SubjectTokenValidator
    private let settings: CacheSettings
    private let digests: TokenDigest.Maker
    private let now: @Sendable () -> Int64
    private let state: Mutex<State>

    public init(upstream: any SubjectTokenValidator, settings: CacheSettings,
                now: @escaping @Sendable () -> Int64 = UnixTime.now) throws {
        self.upstream = upstream
        self.settings = settings
        self.digests = try TokenDigest.Maker()
        self.now = now
        self.state = Mutex(State(entries: ExpiringTable(limit: settings.maxEntries),
                                 compactor: SubjectCompactor(keptClaims: settings.keptClaims)))
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }
    public var count: Int { state.withLock { $0.entries.count } }

    public func rememberedResult(_ token: String) -> ValidationResult? {
        let key = digests.digest(token)
        let time = now()
        let result = state.withLock { hit(key, at: time, in: &$0) }
        if result != nil { Meters.cacheLookup(hit: true) }
        return result
    }

    public func validate(_ token: String) async throws -> ValidationResult {
        let key = digests.digest(token)
        let time = now()
        let lookup: Lookup = state.withLock { state in
            if let result = hit(key, at: time, in: &state) { return .hit(result) }
            state.statistics.misses += 1
            if let running = state.inFlight[key] {
                state.inFlight[key]?.waiting += 1
                return .wait(running.task, joined: true)
            }
            state.statistics.upstreamCalls += 1
            let upstream = self.upstream
            // Unstructured on purpose: the call belongs to every request that joins it, not to
            // the first; it is cancelled when the last of them is (see `finish`). It resumes on
            // the first request's loop when the upstream answers (`LoopExecutor`).
            let running = Task(executorPreference: LoopExecutor.current) { try await upstream.validate(token) }
            state.inFlight[key] = Flight(task: running, waiting: 1, purges: state.purges)
            return .wait(running, joined: false)
        }
        switch lookup {
        case .hit(let result):
            Meters.cacheLookup(hit: true)
            return result
        case .wait(let task, let joined):
            Meters.cacheLookup(hit: false, joined: joined)
            return try await finish(task, key: key)
        }
    }

    private enum Lookup {
        case hit(ValidationResult)
        /// `joined`: another request's upstream call was already in flight (single-flight).
        case wait(Task<ValidationResult, any Error>, joined: Bool)
    }

    private func finish(_ task: Task<ValidationResult, any Error>, key: TokenDigest) async throws -> ValidationResult {
        let result: ValidationResult
        do {
            result = try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                abandon(task, key: key)
            }
        } catch {
            state.withLock { state in
                if state.inFlight[key]?.task == task { state.inFlight[key] = nil }
            }
            throw error
        }
        let time = now()
        return state.withLock { state in
            // The first waiter to wake up stores the answer; the others find it done.
            guard let flight = state.inFlight[key], flight.task == task else { return compacted(result, in: &state) }
            state.inFlight[key] = nil
            // A revocation purged the cache while the upstream answered: the answer may predate it.
            guard flight.purges == state.purges else { return compacted(result, in: &state) }
            return store(result, for: key, at: time, in: &state)
        }
    }

    /// Forgets the answers about these tokens (by the id the upstream gave them, `jti`) and
    /// about every token of these subjects (a disabled user), so the next exchange asks the
    /// upstream again (invariant 5 in docs/ARCHITECTURE.md). An upstream call in flight while
    /// this runs is answered but not remembered. Returns how many entries were dropped.
    @discardableResult
    public func purge(tokenIDs: Set<String>, subjects: Set<String>) -> Int {
        state.withLock { state in
            state.purges &+= 1
            let dropped = state.entries.removeAll { _, answer in
                guard let identity = answer.subject?.identity else { return false }
                if let id = identity.tokenID, tokenIDs.contains(id) { return true }
                return subjects.contains(identity.subject) || identity.username.map(subjects.contains) == true
            }
            Meters.cacheEntries(state.entries.count)
            return dropped
        }
    }

    /// Forgets every answer (the revocation watcher's first read, when it cannot know what
    /// was revoked before).
    public func purgeAll() {
        state.withLock { state in
            state.purges &+= 1
            state.entries.removeAll()
            Meters.cacheEntries(0)
        }
    }

    /// A waiting request was cancelled (its client left, or the server's stop grace ran out):
    /// when no request waits any more, the upstream call is cancelled too, and forgotten, so
    /// that a request for the same token meanwhile starts its own call instead of joining one
    /// that ends in a cancellation.
    private func abandon(_ task: Task<ValidationResult, any Error>, key: TokenDigest) {
        let nobodyWaits = state.withLock { state -> Bool in
            guard state.inFlight[key]?.task == task else { return false }
            state.inFlight[key]?.waiting -= 1
            guard state.inFlight[key]?.waiting == 0 else { return false }
            state.inFlight[key] = nil
            return true
        }
        if nobodyWaits { task.cancel() }
    }

    /// The remembered answer about `key`, counted as a hit, unless it expired.
    private func hit(_ key: TokenDigest, at time: Int64, in state: inout State) -> ValidationResult? {
        guard let answer = state.entries.value(for: key, at: time) else { return nil }
        state.statistics.hits += 1
        return answer.result
    }

    /// What a hit would answer: callers see the same identity whether it was cached or not.
    private func compacted(_ result: ValidationResult, in state: inout State) -> ValidationResult {
        guard case .active(let subject) = result else { return result }
        return .active(state.compactor.compact(subject))
    }

    private func store(_ result: ValidationResult, for key: TokenDigest, at time: Int64, in state: inout State) -> ValidationResult {
        var validUntil = time + settings.negativeTTL
        var subject: CachedSubject?
        if case .active(let identity) = result {
            subject = CachedSubject(state.compactor.compact(identity))
            validUntil = time + settings.positiveTTL
            if let expiresAt = identity.expiresAt { validUntil = min(validUntil, expiresAt) }
        }
        let answer = Answer(subject: subject)
        let evicted = state.entries.insert(answer, for: key, until: validUntil, at: time)
        Meters.cacheEvicted(evicted ? 1 : 0, entries: state.entries.count)
        return answer.result
    }
}
