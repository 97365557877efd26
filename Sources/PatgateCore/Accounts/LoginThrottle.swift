import Synchronization

/// Counts failed logins per account and per client address, in memory, and refuses
/// further attempts with an exponentially growing delay once a limit is reached: the
/// `LoginThrottling` of one process (the SQLite store; PostgreSQL's counts for the fleet).
///
/// After `limit` failures within `window` seconds a key is locked for `lockout` seconds;
/// each further failure doubles the lock, up to `window`. A key forgets its failures
/// `window` seconds after the last one; a successful login clears the account's count.
public final class LoginThrottle: Sendable {
    public struct Settings: Sendable, Equatable {
        public var accountLimit: Int
        public var addressLimit: Int
        public var window: Int64
        public var lockout: Int64

        public init(accountLimit: Int = 5, addressLimit: Int = 20, window: Int64 = 900, lockout: Int64 = 60) {
            self.accountLimit = accountLimit
            self.addressLimit = addressLimit
            self.window = window
            self.lockout = lockout
        }
    }

    private struct Record {
        var failures = 0
        var lockedUntil: Int64 = 0
    }

    private enum Key: Hashable {
        case account(String)
        case address(String)
    }

    public let settings: Settings
    private let now: @Sendable () -> Int64
    /// A record lives until its failures are forgotten and its lock is over.
    private let records = Mutex(ExpiringTable<Key, Record>(limit: 100_000))

    public init(settings: Settings = .init(), now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.settings = settings
        self.now = now
    }

    /// Seconds to wait before `account` may try again from `address`; `nil`: go ahead.
    public func retryAfter(account: String, address: String?) -> Int64? {
        let time = now()
        let keys = Self.keys(account, address)
        let until = records.withLock { records in keys.compactMap { records.value(for: $0, at: time)?.lockedUntil }.max() ?? 0 }
        return until > time ? until - time : nil
    }

    public func recordFailure(account: String, address: String?) {
        let time = now()
        records.withLock { records in
            for key in Self.keys(account, address) {
                // A flood of new keys, once the table is full, costs one record per new key.
                var record = records.value(for: key, at: time) ?? Record()
                record.failures += 1
                let limit = if case .account = key { settings.accountLimit } else { settings.addressLimit }
                if record.failures >= limit {
                    let doublings = min(record.failures - limit, 20)
                    record.lockedUntil = time + min(settings.lockout << Int64(doublings), max(settings.window, settings.lockout))
                }
                records.insert(record, for: key, until: max(time + settings.window, record.lockedUntil), at: time)
            }
        }
    }

    /// A successful login clears the account's failures (not the address's).
    public func recordSuccess(account: String) {
        records.withLock { $0.removeValue(forKey: .account(account.lowercased())) }
    }

    private static func keys(_ account: String, _ address: String?) -> [Key] {
        [.account(account.lowercased())] + (address.map { [.address($0)] } ?? [])
    }
}
