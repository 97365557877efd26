/// The login throttle's port: failed logins counted per account and per client address,
/// with a lockout that grows while failures go on (README, "Accounts").
///
/// `LoginThrottle` counts in memory (one process: the SQLite store); `PostgresLoginThrottle`
/// counts in the database, so a lockout at one replica holds at every replica
/// (docs/ARCHITECTURE.md, "State across replicas"). Both follow `LoginThrottle.Settings`.
public protocol LoginThrottling: Sendable {
    /// Seconds to wait before `account` may try again from `address`; `nil`: go ahead.
    func retryAfter(account: String, address: String?) async throws -> Int64?
    /// Counts one failure against the account and, when known, the address.
    func recordFailure(account: String, address: String?) async throws
    /// A successful login clears the account's failures (not the address's).
    func recordSuccess(account: String) async throws
}

extension LoginThrottle: LoginThrottling {}
