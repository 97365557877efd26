import PatgateTestSupport
import Synchronization
import Testing
@testable import PatgateAdapters
import PatgateCore

/// Reuse within the margin, never past the PAT, single-flight, no cached failures, bounded size.
@Suite struct S3CredentialCacheTests {
    final class FakeSTS: Sendable {
        let calls = Atomic<Int>(0)
        let clock: TestClock
        let failing: Bool
        let delay: Duration
        init(clock: TestClock, failing: Bool = false, delay: Duration = .zero) {
            self.clock = clock
            self.failing = failing
            self.delay = delay
        }

        func fetch(duration: Int64) async throws(CredentialError) -> STSCredentials {
            let number = calls.add(1, ordering: .relaxed).newValue
            if delay > .zero { try? await Task.sleep(for: delay) }
            if failing { throw CredentialError(.unavailable, "down") }
            return STSCredentials(accessKeyID: "ASIA\(number)", secretAccessKey: "s\(number)", sessionToken: "t\(number)",
                                  expiration: clock.now() + duration)
        }
    }

    @Test func reusesWhileMoreThanTheMarginRemains() async throws {
        let clock = TestClock(10_000)
        let sts = FakeSTS(clock: clock)
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 10, now: clock.now)
        let key = cache.key(user: "alice", role: "arn:role", policy: nil)
        let first = try await cache.credentials(for: key, neededUntil: 0, notAfter: nil) { () async throws(CredentialError) in try await sts.fetch(duration: 900) }
        clock.value.withLock { $0 += 599 }   // 301 s left
        let second = try await cache.credentials(for: key, neededUntil: 0, notAfter: nil) { () async throws(CredentialError) in try await sts.fetch(duration: 900) }
        #expect(second == first)
        clock.value.withLock { $0 += 1 }     // 300 s left: not more than the margin
        let third = try await cache.credentials(for: key, neededUntil: 0, notAfter: nil) { () async throws(CredentialError) in try await sts.fetch(duration: 900) }
        #expect(third != first)
        #expect(sts.calls.load(ordering: .relaxed) == 2)
        #expect(cache.statistics == .init(hits: 1, stsCalls: 2))
    }

    @Test func aCachedCredentialMustLastAsLongAsTheRequestNeeds() async throws {
        let clock = TestClock(10_000)
        let sts = FakeSTS(clock: clock)
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 10, now: clock.now)
        let key = cache.key(user: "alice", role: nil, policy: nil)
        let first = try await cache.credentials(for: key, neededUntil: 10_600, notAfter: nil) { () async throws(CredentialError) in try await sts.fetch(duration: 900) }
        clock.value.withLock { $0 += 400 }   // 500 s left: more than the margin, less than a 600 s token
        let second = try await cache.credentials(for: key, neededUntil: 11_000, notAfter: nil) { () async throws(CredentialError) in try await sts.fetch(duration: 900) }
        #expect(second != first)
        let third = try await cache.credentials(for: key, neededUntil: 10_900, notAfter: nil) { () async throws(CredentialError) in try await sts.fetch(duration: 900) }
        #expect(third == second)
    }

    @Test func neverHandsOutACredentialThatOutlivesThisPAT() async throws {
        let clock = TestClock(10_000)
        let sts = FakeSTS(clock: clock)
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 10, now: clock.now)
        let key = cache.key(user: "alice", role: nil, policy: nil)
        let long = try await cache.credentials(for: key, neededUntil: 0, notAfter: nil) { () async throws(CredentialError) in try await sts.fetch(duration: 3_600) }
        let short = try await cache.credentials(for: key, neededUntil: 0, notAfter: 11_000) { () async throws(CredentialError) in try await sts.fetch(duration: 900) }
        #expect(short != long)
        #expect(short.expiration <= 11_000)
    }

    @Test func keysSeparateUsersRolesAndPolicies() throws {
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 10)
        let keys = [
            cache.key(user: "alice", role: "r", policy: nil), cache.key(user: "bob", role: "r", policy: nil),
            cache.key(user: "alice", role: "s", policy: nil), cache.key(user: "alice", role: "r", policy: "{}"),
            cache.key(user: "alice", role: nil, policy: "r"), cache.key(user: "alicer", role: nil, policy: nil),
        ]
        #expect(Set(keys).count == keys.count)
        #expect(cache.key(user: "alice", role: "r", policy: nil) == keys[0])
    }

    @Test func keysSeparateWhatTheWebIdentityTokenSays() throws {
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 10)
        let base = cache.key(user: "alice", role: "r", policy: nil, clientID: "ci", audiences: ["sts"], scopes: ["credentials"])
        #expect(base == cache.key(user: "alice", role: "r", policy: nil, clientID: "ci", audiences: ["sts"], scopes: ["credentials"]))
        #expect(base != cache.key(user: "alice", role: "r", policy: nil, clientID: "cd", audiences: ["sts"], scopes: ["credentials"]))
        #expect(base != cache.key(user: "alice", role: "r", policy: nil, clientID: "ci", audiences: ["api"], scopes: ["credentials"]))
        #expect(base != cache.key(user: "alice", role: "r", policy: nil, clientID: "ci", audiences: ["sts"], scopes: ["credentials", "openid"]))
    }

    @Test func aCallJoinedForAShortLivedPATIsNotReusedForALongerToken() async throws {
        let clock = TestClock(10_000)
        let sts = FakeSTS(clock: clock, delay: .milliseconds(300))   // the second caller joins the first call
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 10, now: clock.now)
        let key = cache.key(user: "alice", role: nil, policy: nil)
        // The first caller's PAT ends at 10 900: its STS call asks for 900 s only.
        async let first = cache.credentials(for: key, neededUntil: 10_900, notAfter: 10_900) { () async throws(CredentialError) in
            try await sts.fetch(duration: 900)
        }
        // A caller whose JWT lasts until 13 600 must not get those.
        async let second = cache.credentials(for: key, neededUntil: 13_600, notAfter: nil) { () async throws(CredentialError) in
            try await sts.fetch(duration: 3_600)
        }
        let (short, long) = try await (first, second)
        #expect(short.expiration <= 10_900)
        #expect(long.expiration >= 13_600)
    }

    @Test func concurrentMissesShareOneCall() async throws {
        let clock = TestClock(10_000)
        let sts = FakeSTS(clock: clock, delay: .milliseconds(100))
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 10, now: clock.now)
        let key = cache.key(user: "alice", role: "r", policy: nil)
        let results = try await withThrowingTaskGroup(of: STSCredentials.self) { group in
            for _ in 0..<64 {
                group.addTask { try await cache.credentials(for: key, neededUntil: 0, notAfter: nil) { () async throws(CredentialError) in try await sts.fetch(duration: 900) } }
            }
            return try await group.reduce(into: [STSCredentials]()) { $0.append($1) }
        }
        #expect(results.count == 64)
        #expect(Set(results.map(\.accessKeyID)).count == 1)
        #expect(sts.calls.load(ordering: .relaxed) == 1)
    }

    @Test func failuresAreSharedButNotCached() async throws {
        let clock = TestClock(10_000)
        let down = FakeSTS(clock: clock, failing: true, delay: .milliseconds(20))
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 10, now: clock.now)
        let key = cache.key(user: "alice", role: "r", policy: nil)
        let error = await #expect(throws: CredentialError.self) {
            try await cache.credentials(for: key, neededUntil: 0, notAfter: nil) { () async throws(CredentialError) in try await down.fetch(duration: 900) }
        }
        #expect(error == CredentialError(.unavailable, "down"))
        let up = FakeSTS(clock: clock)
        _ = try await cache.credentials(for: key, neededUntil: 0, notAfter: nil) { () async throws(CredentialError) in try await up.fetch(duration: 900) }
        #expect(up.calls.load(ordering: .relaxed) == 1)
    }

    @Test func theSizeIsBounded() async throws {
        let clock = TestClock(10_000)
        let sts = FakeSTS(clock: clock)
        let cache = try S3CredentialCache(reuseMargin: 300, maxEntries: 20, now: clock.now)
        for index in 0..<100 {
            _ = try await cache.credentials(for: cache.key(user: "u\(index)", role: nil, policy: nil), neededUntil: 0, notAfter: nil) {
                () async throws(CredentialError) in try await sts.fetch(duration: 900)
            }
        }
        #expect(cache.count <= 20)
        let off = try S3CredentialCache(reuseMargin: 300, maxEntries: 0, now: clock.now)
        _ = try await off.credentials(for: off.key(user: "u", role: nil, policy: nil), neededUntil: 0, notAfter: nil) {
            () async throws(CredentialError) in try await sts.fetch(duration: 900)
        }
        #expect(off.count == 0)
    }
}
