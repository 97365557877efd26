import PatgateCore
import PatgateTestSupport
import Testing

@Suite struct AccountRulesTests {
    @Test func lifetimePolicyDefaultsCapsAndRefuses() throws {
        let none = LifetimePolicy.none
        #expect(try none.lifetime(requested: nil) == nil)
        #expect(try none.lifetime(requested: 60) == 60)
        #expect(throws: PATError(.invalidExpiry, "the expiry must be in the future")) { try none.lifetime(requested: 0) }

        let capped = LifetimePolicy(maxLifetime: 30 * 86_400, defaultLifetime: 7 * 86_400)
        #expect(try capped.lifetime(requested: nil) == 7 * 86_400)
        #expect(try capped.lifetime(requested: 30 * 86_400) == 30 * 86_400)
        #expect { try capped.lifetime(requested: 30 * 86_400 + 1) } throws: { ($0 as? PATError)?.code == .policyViolation }
        #expect(try capped.rotatedLifetime(original: 90 * 86_400) == 30 * 86_400)
        #expect(try capped.rotatedLifetime(original: nil) == 7 * 86_400)
        #expect(try none.rotatedLifetime(original: nil) == nil)

        let maxOnly = LifetimePolicy(maxLifetime: 86_400)
        #expect { try maxOnly.lifetime(requested: nil) } throws: { ($0 as? PATError)?.code == .policyViolation }
        let required = LifetimePolicy(expiryRequired: true)
        #expect { try required.lifetime(requested: nil) } throws: { ($0 as? PATError)?.code == .policyViolation }
        #expect(try required.lifetime(requested: 5) == 5)
    }

    @Test func rfc3339RoundTripsAndRejectsGarbage() {
        #expect(RFC3339.format(0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(1_795_921_200) == "2026-11-29T03:00:00Z")
        #expect(RFC3339.format(253_402_300_799) == "9999-12-31T23:59:59Z")   // the last in-place year
        #expect(RFC3339.format(253_402_300_800) == "10000-01-01T00:00:00Z")
        #expect(RFC3339.format(-1) == "1969-12-31T23:59:59Z")
        for seconds: Int64 in [1, 59, 3_599, 86_399, 951_782_400, 4_102_444_799, 1_795_921_263] {
            #expect(RFC3339.parse(RFC3339.format(seconds)) == seconds)
        }
        #expect(RFC3339.parse("2026-11-29T03:00:00Z") == 1_795_921_200)
        #expect(RFC3339.parse("2026-11-29T04:00:00.123+01:00") == 1_795_921_200)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
        for bad in ["", "2026-11-29", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-29T03:00:00", "2026-11-29T25:00:00Z",
                    "2026-11-29T03:00:00Zjunk", "x026-11-29T03:00:00Z"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
        for seconds: Int64 in [-86_401, 951_782_400, 4_102_444_800] { #expect(RFC3339.parse(RFC3339.format(seconds)) == seconds) }
    }

    @Test func throttleLocksWithGrowingDelaysAndForgets() {
        let clock = TestClock(1_000)
        let throttle = LoginThrottle(settings: .init(accountLimit: 3, addressLimit: 5, window: 900, lockout: 10), now: clock.now)
        for _ in 0..<2 { throttle.recordFailure(account: "Alice", address: "10.0.0.1") }
        #expect(throttle.retryAfter(account: "alice", address: "10.0.0.2") == nil)
        throttle.recordFailure(account: "alice", address: "10.0.0.1")
        #expect(throttle.retryAfter(account: "alice", address: "10.0.0.2") == 10)
        clock.value.withLock { $0 += 10 }
        #expect(throttle.retryAfter(account: "alice", address: nil) == nil)
        throttle.recordFailure(account: "alice", address: "10.0.0.1")
        #expect(throttle.retryAfter(account: "alice", address: nil) == 20)   // doubled
        // The address passed its own limit (5) too: another account from it must wait.
        throttle.recordFailure(account: "bob", address: "10.0.0.1")
        #expect(throttle.retryAfter(account: "carol", address: "10.0.0.1") != nil)
        throttle.recordSuccess(account: "alice")
        #expect(throttle.retryAfter(account: "alice", address: nil) == nil)
        clock.value.withLock { $0 += 2_000 }
        #expect(throttle.retryAfter(account: "carol", address: "10.0.0.1") == nil)
    }

    @Test func aNameUnderAttackOutlastsAFloodOfNewNames() {
        // 200,000 failed logins under new names, twice the records kept, while one name keeps
        // being tried: each of its failures refreshes its record, so the flood drops others.
        let clock = TestClock(1_000)
        let throttle = LoginThrottle(settings: .init(accountLimit: 2, addressLimit: 1_000_000, window: 900, lockout: 10),
                                     now: clock.now)
        for index in 0..<200_000 {
            if index % 1_000 == 0 {
                clock.value.withLock { $0 += 1 }
                throttle.recordFailure(account: "victim", address: nil)
            }
            throttle.recordFailure(account: "flood-\(index)", address: nil)
        }
        #expect(throttle.retryAfter(account: "victim", address: nil) != nil)
        // The first names of the flood, never tried again, went first: a second failure locks a
        // name only if its first was kept (a random choice would have kept about 37 %).
        let kept = (0..<1_000).filter { index in
            throttle.recordFailure(account: "flood-\(index)", address: nil)
            return throttle.retryAfter(account: "flood-\(index)", address: nil) != nil
        }
        #expect(kept.count < 300)
    }

    @Test func usageIsClaimedOncePerInterval() {
        let clock = TestClock(1_000)
        let recorder = UsageRecorder(store: NoStore(), audit: NoAuditLog(), interval: 60, now: clock.now)
        #expect(recorder.claim("a"))
        #expect(!recorder.claim("a"))
        #expect(recorder.claim("b"))
        clock.value.withLock { $0 += 59 }
        #expect(!recorder.claim("a"))
        clock.value.withLock { $0 += 1 }
        #expect(recorder.claim("a"))
    }

    @Test func auditLinesAreOneJSONObjectWithNulls() {
        let line = AuditEvent(time: 0, kind: .loginFailed, actor: "ev\"il\nname", address: "::1").jsonLine
        #expect(String(decoding: line, as: UTF8.self)
                == #"{"time":"1970-01-01T00:00:00Z","event":"login.failed","actor":"ev\"il\nname","target":null,"address":"::1"}"# + "\n")
    }
}

/// A PAT store for tests that never reach it.
private struct NoStore: PATStore {
    func insert(_ token: PersonalAccessToken, valueHash: [UInt8]) async throws {}
    func find(valueHash: [UInt8]) async throws -> PersonalAccessToken? { nil }
    func find(id: String) async throws -> PersonalAccessToken? { nil }
    func findWithOwner(valueHash: [UInt8]) async throws -> (token: PersonalAccessToken, ownerDisabled: Bool)? { nil }
    func list(owner: String) async throws -> [PersonalAccessToken] { [] }
    func page(_ query: PATQuery) async throws -> PATPage { PATPage(items: [], nextCursor: nil) }
    func revoke(id: String, at time: Int64) async throws -> Bool { false }
    func rotate(oldID: String, replacement: PersonalAccessToken, valueHash: [UInt8], at time: Int64) async throws {}
    func markUsed(_ uses: [PATUse]) async throws {}
    func ping() async throws {}
}
