import PatgateTestSupport
import Testing
@testable import PatgateAdapters
import PatgateCore

/// The `LoginThrottling` contract, on the in-memory throttle and on PostgreSQL's (each test
/// in a schema of its own): both must lock, double, cap and forget alike (README, "Accounts").
@Suite struct LoginThrottleConformanceTests {
    struct Backend: Sendable, CustomTestStringConvertible {
        let name: String
        let with: @Sendable (LoginThrottle.Settings, TestClock, (any LoginThrottling) async throws -> Void) async throws -> Void
        var testDescription: String { name }

        static let memory = Backend(name: "memory") { settings, clock, body in
            try await body(LoginThrottle(settings: settings, now: clock.now))
        }
        static let postgres = Backend(name: "postgres") { settings, clock, body in
            try await PostgresTestDatabase.withFreshSchema { database in
                let pool = try await PostgresDatabase.open(database, logger: PostgresTestDatabase.logger, maximumConnections: 4)
                try await pool.withRunning {
                    try await body(PostgresLoginThrottle(database: pool, settings: settings, now: clock.now))
                }
            }
        }
        static var available: [Backend] { PostgresTestDatabase.isConfigured ? [memory, postgres] : [memory] }
    }

    static let settings = LoginThrottle.Settings(accountLimit: 3, addressLimit: 5, window: 900, lockout: 10)

    @Test(arguments: Backend.available)
    func locksWithGrowingDelaysAndForgets(_ backend: Backend) async throws {
        let clock = TestClock(1_000)
        try await backend.with(Self.settings, clock) { throttle in
            for _ in 0..<2 { try await throttle.recordFailure(account: "Alice", address: "10.0.0.1") }
            #expect(try await throttle.retryAfter(account: "alice", address: "10.0.0.2") == nil)
            try await throttle.recordFailure(account: "alice", address: "10.0.0.1")
            #expect(try await throttle.retryAfter(account: "ALICE", address: "10.0.0.2") == 10)
            clock.value.withLock { $0 += 4 }
            #expect(try await throttle.retryAfter(account: "alice", address: nil) == 6)
            clock.value.withLock { $0 += 6 }
            #expect(try await throttle.retryAfter(account: "alice", address: nil) == nil)
            try await throttle.recordFailure(account: "alice", address: "10.0.0.1")
            #expect(try await throttle.retryAfter(account: "alice", address: nil) == 20)   // doubled
            // The address passed its own limit (5) too: another account from it must wait.
            try await throttle.recordFailure(account: "bob", address: "10.0.0.1")
            #expect(try await throttle.retryAfter(account: "carol", address: "10.0.0.1") != nil)
            #expect(try await throttle.retryAfter(account: "carol", address: "10.0.0.9") == nil)
            try await throttle.recordSuccess(account: "Alice")
            #expect(try await throttle.retryAfter(account: "alice", address: nil) == nil)
            #expect(try await throttle.retryAfter(account: "alice", address: "10.0.0.1") != nil)   // the address stays locked
            clock.value.withLock { $0 += 2_000 }
            #expect(try await throttle.retryAfter(account: "carol", address: "10.0.0.1") == nil)
        }
    }

    @Test(arguments: Backend.available)
    func theLockIsCappedAtTheWindowAndCountsRestartWhenForgotten(_ backend: Backend) async throws {
        let clock = TestClock(5_000)
        let settings = LoginThrottle.Settings(accountLimit: 2, addressLimit: 100, window: 100, lockout: 30)
        try await backend.with(settings, clock) { throttle in
            var waits: [Int64?] = []
            for _ in 0..<5 {
                try await throttle.recordFailure(account: "dave", address: nil)
                waits.append(try await throttle.retryAfter(account: "dave", address: nil))
            }
            #expect(waits == [nil, 30, 60, 100, 100])
            // Forgotten a window after the last failure (the lock ended with it): one failure
            // is one again, below the limit.
            clock.value.withLock { $0 += 100 }
            #expect(try await throttle.retryAfter(account: "dave", address: nil) == nil)
            try await throttle.recordFailure(account: "dave", address: nil)
            #expect(try await throttle.retryAfter(account: "dave", address: nil) == nil)
            // Failures spaced by less than the window keep counting.
            clock.value.withLock { $0 += 99 }
            try await throttle.recordFailure(account: "dave", address: nil)
            #expect(try await throttle.retryAfter(account: "dave", address: nil) == 30)
        }
    }

    @Test(arguments: Backend.available)
    func hostileAndLongKeysAreJustKeys(_ backend: Backend) async throws {
        let clock = TestClock(1_000)
        let settings = LoginThrottle.Settings(accountLimit: 1, addressLimit: 1, window: 900, lockout: 10)
        try await backend.with(settings, clock) { throttle in
            let name = "o'brien\"; DROP TABLE login_throttle; --"
            let address = String(repeating: "2001:db8::'", count: 300)
            try await throttle.recordFailure(account: name, address: address)
            #expect(try await throttle.retryAfter(account: name, address: nil) == 10)
            #expect(try await throttle.retryAfter(account: "other", address: address) == 10)
            #expect(try await throttle.retryAfter(account: "o'brien", address: "2001:db8::") == nil)
        }
    }
}
