import PatgateCore
import PostgresNIO

/// The login throttle of a fleet: failures counted in PostgreSQL (table `login_throttle`),
/// so that every replica on the database counts them and honours a lockout, wherever it
/// began (docs/ARCHITECTURE.md, "State across replicas").
///
/// The rules are `LoginThrottle`'s, computed in SQL from the row as it is at the write, so
/// concurrent failures at several replicas each count once. One statement per call: a check
/// before the password is verified, one upsert per failure (which also prunes up to 100
/// forgotten rows), one delete per success. Keys are the lowercased username and the client
/// address, as in the audit log and the `sessions` table: neither is a secret, and hashing an
/// address without a key would hide nothing (IPv4 has 2^32 of them). Times are this process's
/// clock, like every other time the stores keep.
public struct PostgresLoginThrottle: LoginThrottling {
    let database: PostgresDatabase
    let settings: LoginThrottle.Settings
    let now: @Sendable () -> Int64
    /// Longer keys are cut (an index entry has a size limit; real addresses are far shorter).
    static let maxKeyLength = 200
    static let pruneBatch = 100

    public init(database: PostgresDatabase, settings: LoginThrottle.Settings,
                now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.database = database
        self.settings = settings
        self.now = now
    }

    public func retryAfter(account: String, address: String?) async throws -> Int64? {
        let time = now()
        let keys = Self.keys(account, address)
        var binds = PostgresBindings()
        binds.append(keys.map(\.kind))
        binds.append(keys.map(\.key))
        let rows = try await database.query(PostgresQuery(unsafeSQL: """
            SELECT COALESCE(max(locked_until), 0) FROM login_throttle
            WHERE (kind, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
            """, binds: binds)).column(Int64.self)
        let until = rows.first ?? 0
        return until > time ? until - time : nil
    }

    public func recordFailure(account: String, address: String?) async throws {
        let keys = Self.keys(account, address)
        var binds = PostgresBindings()
        binds.append(now())                                                   // $1
        binds.append(settings.window)                                         // $2
        binds.append(settings.lockout)                                        // $3
        binds.append(keys.map(\.kind))                                        // $4
        binds.append(keys.map(\.key))                                         // $5
        binds.append(keys.map { Int64($0.kind == "account" ? settings.accountLimit : settings.addressLimit) })  // $6
        // The count after this failure: 1 once the row is forgotten, else one more.
        let count = "(CASE WHEN t.forget_at <= $1 THEN 1 ELSE t.failures + 1 END)"
        let lock = "patgate_login_lock(\(count), excluded.failure_limit, $1, $3, $2)"
        let first = "patgate_login_lock(1, v.failure_limit::integer, $1, $3, $2)"
        try await database.query(PostgresQuery(unsafeSQL: """
            WITH pruned AS (
                DELETE FROM login_throttle WHERE (kind, key) IN (
                    SELECT kind, key FROM login_throttle
                    WHERE forget_at <= $1 AND (kind, key) NOT IN (SELECT * FROM unnest($4::text[], $5::text[]))
                    LIMIT \(Self.pruneBatch) FOR UPDATE SKIP LOCKED)
            )
            INSERT INTO login_throttle AS t (kind, key, failures, failure_limit, last_failure, locked_until, forget_at)
            SELECT v.kind, v.key, 1, v.failure_limit, $1, \(first), GREATEST($1 + $2, \(first))
            FROM unnest($4::text[], $5::text[], $6::bigint[]) AS v(kind, key, failure_limit)
            ON CONFLICT (kind, key) DO UPDATE SET
                failures = \(count),
                failure_limit = excluded.failure_limit,
                last_failure = $1,
                locked_until = \(lock),
                forget_at = GREATEST($1 + $2, \(lock))
            """, binds: binds))
    }

    public func recordSuccess(account: String) async throws {
        let key = Self.keys(account, nil)[0].key
        try await database.query("DELETE FROM login_throttle WHERE kind = 'account' AND key = \(key)")
    }

    private static func keys(_ account: String, _ address: String?) -> [(kind: String, key: String)] {
        [("account", String(account.lowercased().prefix(maxKeyLength)))]
            + (address.map { [("address", String($0.prefix(maxKeyLength)))] } ?? [])
    }
}
