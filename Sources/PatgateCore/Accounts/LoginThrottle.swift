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
        var lastFailure: Int64 = 0
        var lockedUntil: Int64 = 0
    }

    private enum Key: Hashable {
        case account(String)
        case address(String)
    }

    public let settings: Settings
    private let now: @Sendable () -> Int64
    private let records = Mutex<[Key: Record]>([:])
    private static let maxRecords = 100_000

    public init(settings: Settings = .init(), now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.settings = settings
        self.now = now
    }

    /// Seconds to wait before `account` may try again from `address`; `nil`: go ahead.
    public func retryAfter(account: String, address: String?) -> Int64? {
        let time = now()
        let keys = Self.keys(account, address)
        let until = records.withLock { records in keys.compactMap { records[$0]?.lockedUntil }.max() ?? 0 }
        return until > time ? until - time : nil
    }

    public func recordFailure(account: String, address: String?) {
        let time = now()
        records.withLock { records in
            if records.count >= Self.maxRecords {
                // A flood of new keys costs every n-th record a tenth at a time, not all of them.
                records.makeRoom(limit: Self.maxRecords,
                                 droppingStale: { time - $0.lastFailure >= settings.window && $0.lockedUntil <= time })
            }
            for key in Self.keys(account, address) {
                var record = records[key] ?? Record()
                if time - record.lastFailure >= settings.window, record.lockedUntil <= time { record = Record() }
                record.failures += 1
                record.lastFailure = time
                let limit = if case .account = key { settings.accountLimit } else { settings.addressLimit }
                if record.failures >= limit {
                    let doublings = min(record.failures - limit, 20)
                    record.lockedUntil = time + min(settings.lockout << Int64(doublings), max(settings.window, settings.lockout))
                }
                records[key] = record
            }
        }
    }

    /// A successful login clears the account's failures (not the address's).
    public func recordSuccess(account: String) {
        _ = records.withLock { $0.removeValue(forKey: .account(account.lowercased())) }
    }

    private static func keys(_ account: String, _ address: String?) -> [Key] {
        [.account(account.lowercased())] + (address.map { [.address($0)] } ?? [])
    }
}
