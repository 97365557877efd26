import Synchronization
import Testing
@testable import PatgateCore

/// `AccountService.login` through the `LoginThrottling` port: a throttle that cannot answer
/// (PostgreSQL down) refuses the attempt before any password is checked, never lets it through.
@Suite struct LoginThrottlePortTests {
    struct Down: Error {}

    /// Counts what reaches it; `failing` makes every call throw, as a store that is down does.
    final class RecordingThrottle: LoginThrottling {
        let calls = Mutex<[String]>([])
        let failing: Bool
        init(failing: Bool) { self.failing = failing }

        func retryAfter(account: String, address: String?) async throws -> Int64? {
            calls.withLock { $0.append("check \(account) \(address ?? "-")") }
            if failing { throw Down() }
            return nil
        }
        func recordFailure(account: String, address: String?) async throws {
            calls.withLock { $0.append("failure \(account) \(address ?? "-")") }
        }
        func recordSuccess(account: String) async throws {
            calls.withLock { $0.append("success \(account)") }
        }
    }

    /// Accepts exactly "right" and counts verifications.
    final class PlainHasher: PasswordHasher {
        let verifications = Mutex(0)
        func hash(_ password: String) async throws -> String { "plain:" + password }
        func verify(_ password: String, hash: String?) async throws -> Bool {
            verifications.withLock { $0 += 1 }
            return hash == "plain:" + password
        }
    }

    func service(_ throttle: RecordingThrottle, _ hasher: PlainHasher) async throws -> AccountService {
        let users = MemoryUserStore()
        try await users.insert(User(username: "alice", displayName: "Alice", role: .user, passwordHash: "plain:right", createdAt: 0))
        return AccountService(users: users, hasher: hasher, throttle: throttle, audit: NoAuditLog())
    }

    @Test func aThrottleThatCannotAnswerRefusesBeforeThePasswordIsChecked() async throws {
        let throttle = RecordingThrottle(failing: true)
        let hasher = PlainHasher()
        let accounts = try await service(throttle, hasher)
        await #expect(throws: Down.self) { try await accounts.login(username: "alice", password: "right", address: "192.0.2.1") }
        #expect(hasher.verifications.withLock { $0 } == 0)
        #expect(throttle.calls.withLock { $0 } == ["check alice 192.0.2.1"])
    }

    @Test func failuresAndSuccessesReachThePortWithTheLowercasedName() async throws {
        let throttle = RecordingThrottle(failing: false)
        let accounts = try await service(throttle, PlainHasher())
        await #expect(throws: LoginError.invalidCredentials) {
            try await accounts.login(username: "ALICE", password: "wrong", address: "192.0.2.1")
        }
        _ = try await accounts.login(username: "Alice", password: "right", address: nil)
        #expect(throttle.calls.withLock { $0 } == ["check alice 192.0.2.1", "failure alice 192.0.2.1", "check alice -", "success alice"])
    }
}
