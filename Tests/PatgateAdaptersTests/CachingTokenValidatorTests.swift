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
    init(expiresAt: Int64? = nil, delay: Duration = .milliseconds(50)) {
        self.expiresAt = expiresAt
        self.delay = delay
    }
    struct Down: Error {}

    func validate(_ token: String) async throws -> ValidationResult {
        calls.withLock { $0[token, default: 0] += 1 }
        try await Task.sleep(for: delay)
        if failing.withLock({ $0 }) { throw Down() }
        return token.hasPrefix("good") ? .active(SubjectIdentity(subject: token, scopes: [], expiresAt: expiresAt)) : .inactive
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
}
