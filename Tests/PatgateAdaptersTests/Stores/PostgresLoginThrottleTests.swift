import PatgateTestSupport
import Testing
@testable import PatgateAdapters
import PatgateCore

/// What only the PostgreSQL throttle has: several replicas (pools) counting one account, and
/// rows that are pruned once forgotten.
@Suite struct PostgresLoginThrottleTests {
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipNote))
    func concurrentFailuresAtTwoReplicasEachCount() async throws {
        let settings = LoginThrottle.Settings(accountLimit: 20, addressLimit: 1_000, window: 900, lockout: 60)
        try await PostgresTestDatabase.withFreshSchema { database in
            let first = try await PostgresDatabase.open(database, logger: PostgresTestDatabase.logger, maximumConnections: 8)
            let second = try await PostgresDatabase.open(database, logger: PostgresTestDatabase.logger, maximumConnections: 8)
            try await first.withRunning {
                try await second.withRunning {
                    let replicas = [first, second].map { PostgresLoginThrottle(database: $0, settings: settings) }
                    // 19 failures at once, from both replicas and shared addresses: any lost
                    // update would leave the account short of its limit after the 20th.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for attempt in 0..<19 {
                            group.addTask {
                                try await replicas[attempt % 2].recordFailure(account: "alice", address: "192.0.2.\(attempt % 3)")
                            }
                        }
                        try await group.waitForAll()
                    }
                    #expect(try await replicas[0].retryAfter(account: "alice", address: nil) == nil)
                    try await replicas[1].recordFailure(account: "alice", address: nil)
                    let wait = try await replicas[0].retryAfter(account: "alice", address: nil)
                    #expect(wait != nil && wait! > 0 && wait! <= 60)
                    try await replicas[0].recordSuccess(account: "alice")
                    #expect(try await replicas[1].retryAfter(account: "alice", address: nil) == nil)
                }
            }
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipNote))
    func forgottenRowsArePrunedByLaterFailures() async throws {
        let clock = TestClock(1_000)
        let settings = LoginThrottle.Settings(accountLimit: 5, addressLimit: 20, window: 60, lockout: 10)
        try await PostgresTestDatabase.withFreshSchema { database in
            let pool = try await PostgresDatabase.open(database, logger: PostgresTestDatabase.logger, maximumConnections: 2)
            try await pool.withRunning {
                let throttle = PostgresLoginThrottle(database: pool, settings: settings, now: clock.now)
                for user in 0..<10 { try await throttle.recordFailure(account: "user\(user)", address: "198.51.100.\(user)") }
                #expect(try await PostgresTestDatabase.strings("SELECT count(*)::text FROM login_throttle", on: database) == ["20"])
                clock.value.withLock { $0 += 60 }
                try await throttle.recordFailure(account: "late", address: "198.51.100.1")
                #expect(try await PostgresTestDatabase.strings("SELECT key FROM login_throttle ORDER BY key", on: database)
                        == ["198.51.100.1", "late"])
            }
        }
    }
}
