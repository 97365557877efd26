import PatgateTestSupport
import Synchronization
import Testing
@testable import PatgateAdapters
import PatgateCore

/// Counts upstream calls; answers after a short pause so concurrent misses overlap.
final class CountingUpstream: SubjectTokenValidator {
    let calls = Mutex<[String: Int]>([:])
    let failing = Mutex(false)
    let expiresAt: Int64?
    let delay: Duration
    /// Notices a cancellation only once its pause is over, as an upstream call that is slow to stop would.
    let slowToCancel: Bool
    init(expiresAt: Int64? = nil, delay: Duration = .milliseconds(50), slowToCancel: Bool = false) {
        self.expiresAt = expiresAt
        self.delay = delay
        self.slowToCancel = slowToCancel
    }
    struct Down: Error {}

    func validate(_ token: String) async throws -> ValidationResult {
        calls.withLock { $0[token, default: 0] += 1 }
        if slowToCancel {
            let delay = self.delay
            await Task.detached { try? await Task.sleep(for: delay) }.value   // not cut short by a cancellation
            try Task.checkCancellation()
        }
        try await Task.sleep(for: slowToCancel ? .zero : delay)
        if failing.withLock({ $0 }) { throw Down() }
        // The token's id is the token with an "id-" prefix; the subject is the part before ":".
        let subject = String(token.split(separator: ":").first ?? "")
        return token.hasPrefix("good")
            ? .active(SubjectIdentity(subject: subject, scopes: [], expiresAt: expiresAt, tokenID: "id-" + token)) : .inactive
    }
    func count(_ token: String) -> Int { calls.withLock { $0[token, default: 0] } }
}

@Suite struct CachingTokenValidatorTests {
    let clock = TestClock(1_000)

    func cache(_ upstream: CountingUpstream, _ settings: CacheSettings = .init()) throws -> CachingTokenValidator {
        let clock = self.clock
        return try CachingTokenValidator(upstream: upstream, settings: settings, now: { clock.now() })
    }

    @Test func concurrentMissesForOneTokenMakeOneCall() async throws {
        let upstream = CountingUpstream()
        let cache = try cache(upstream)
        try await withThrowingTaskGroup(of: ValidationResult.self) { group in
            for _ in 0..<256 { group.addTask { try await cache.validate("good-1") } }
            for try await result in group { #expect(result != .inactive) }
        }
        #expect(upstream.count("good-1") == 1)
        #expect(cache.statistics.upstreamCalls == 1)
    }

    @Test func aCallAbandonedByAllItsRequestsIsNotJoinedByALaterOne() async throws {
        let upstream = CountingUpstream(delay: .milliseconds(300), slowToCancel: true)
        let cache = try cache(upstream)
        let abandoned = Task { try await cache.validate("good-1") }
        try await Task.sleep(for: .milliseconds(50))
        abandoned.cancel()   // its only request: the call is cancelled, and still runs a while
        try await Task.sleep(for: .milliseconds(50))
        let result = try await cache.validate("good-1")
        #expect(result != .inactive, "its own call, not the cancelled one's CancellationError")
        #expect(upstream.count("good-1") == 2)
        #expect(await abandoned.result.isFailure)
    }

    @Test func theRememberedAnswerIsTheCachedOneCountedAsAHitAndNothingElse() async throws {
        let upstream = CountingUpstream()
        let cache = try cache(upstream, .init(positiveTTL: 60, negativeTTL: 5))
        #expect(cache.rememberedResult("good-1") == nil)
        #expect(cache.statistics == .init(), "a miss here counts nothing: the validate that follows counts it")
        let validated = try await cache.validate("good-1")
        _ = try await cache.validate("bad-1")
        #expect(cache.rememberedResult("good-1") == validated)
        #expect(cache.rememberedResult("bad-1") == .inactive)
        #expect(cache.statistics == .init(hits: 2, misses: 2, upstreamCalls: 2))
        clock.value.withLock { $0 += 60 }
        #expect(cache.rememberedResult("good-1") == nil, "an expired answer is not remembered")
        #expect(upstream.count("good-1") == 1)
    }

    @Test func positiveAnswersLiveForTheTTLButNeverPastThePAT() async throws {
        let upstream = CountingUpstream()
        let cache = try cache(upstream, .init(positiveTTL: 60, negativeTTL: 5))
        _ = try await cache.validate("good")
        clock.value.withLock { $0 += 59 }
        _ = try await cache.validate("good")
        #expect(upstream.count("good") == 1)
        clock.value.withLock { $0 += 1 }
        _ = try await cache.validate("good")
        #expect(upstream.count("good") == 2)

        let short = CountingUpstream(expiresAt: 1_070)
        let shortCache = try self.cache(short, .init(positiveTTL: 60))
        _ = try await shortCache.validate("good")   // now 1060: PAT has 10 s left
        clock.value.withLock { $0 += 10 }
        _ = try await shortCache.validate("good")
        #expect(short.count("good") == 2)
    }

    @Test func negativeAnswersLiveForTheNegativeTTL() async throws {
        let upstream = CountingUpstream()
        let cache = try cache(upstream, .init(positiveTTL: 60, negativeTTL: 5))
        #expect(try await cache.validate("bad") == .inactive)
        #expect(try await cache.validate("bad") == .inactive)
        #expect(upstream.count("bad") == 1)
        clock.value.withLock { $0 += 5 }
        _ = try await cache.validate("bad")
        #expect(upstream.count("bad") == 2)
    }

    @Test func errorsAreNeverCached() async throws {
        let upstream = CountingUpstream()
        upstream.failing.withLock { $0 = true }
        let cache = try cache(upstream)
        await #expect(throws: CountingUpstream.Down.self) { try await cache.validate("good") }
        upstream.failing.withLock { $0 = false }
        #expect(try await cache.validate("good") != .inactive)
        #expect(upstream.count("good") == 2)
    }

    @Test func sizeIsBounded() async throws {
        let cache = try cache(CountingUpstream(delay: .zero), .init(maxEntries: 100))
        for index in 0..<1_000 { _ = try await cache.validate("good-\(index)") }
        #expect(cache.count <= 100)
    }

    @Test func aFullCacheDropsOneAnswerForEachNewOneAnExpiredOneFirst() async throws {
        let upstream = CountingUpstream(delay: .zero)
        let cache = try cache(upstream, .init(maxEntries: 3))
        _ = try await cache.validate("good-0")
        _ = try await cache.validate("bad-0")      // inactive: kept 5 s
        _ = try await cache.validate("good-1")
        clock.value.withLock { $0 += 10 }
        _ = try await cache.validate("good-new")
        #expect(cache.count == 3)
        // The expired answer made room; the active ones are still answered from memory.
        for token in ["good-0", "good-1", "good-new"] { _ = try await cache.validate(token) }
        #expect(["good-0", "good-1", "good-new"].allSatisfy { upstream.count($0) == 1 })
        _ = try await cache.validate("good-next")
        #expect(cache.count == 3)
    }

    @Test func purgeForgetsTheNamedTokensAndEveryTokenOfTheNamedSubjects() async throws {
        let upstream = CountingUpstream(delay: .zero)
        let cache = try cache(upstream)
        for token in ["good-a:1", "good-a:2", "good-b:1", "good-c:1"] { _ = try await cache.validate(token) }
        #expect(cache.purge(tokenIDs: ["id-good-c:1"], subjects: ["good-a"]) == 3)
        for token in ["good-a:1", "good-a:2", "good-b:1", "good-c:1"] { _ = try await cache.validate(token) }
        #expect(upstream.count("good-a:1") == 2 && upstream.count("good-a:2") == 2 && upstream.count("good-c:1") == 2)
        #expect(upstream.count("good-b:1") == 1)
    }

    @Test func anAnswerThatRacedAPurgeIsNotRemembered() async throws {
        let upstream = CountingUpstream(delay: .milliseconds(200))
        let cache = try cache(upstream)
        async let first = cache.validate("good-d:1")
        try await Task.sleep(for: .milliseconds(50))
        cache.purge(tokenIDs: ["id-good-d:1"], subjects: [])   // the revocation commits while the upstream answers
        #expect(try await first == .active(SubjectIdentity(subject: "good-d", scopes: [], tokenID: "id-good-d:1")))
        _ = try await cache.validate("good-d:1")
        #expect(upstream.count("good-d:1") == 2)
    }
}

private extension Result {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}
