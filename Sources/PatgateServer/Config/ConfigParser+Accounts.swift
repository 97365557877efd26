import PatgateCore

extension ConfigParser {
    /// `issuer.policy.*`: none by default.
    mutating func parseLifetimePolicy() -> LifetimePolicy {
        let days = 1...36_500
        let maxDays = reader.optionalInt("issuer.policy.max_lifetime_days", in: days)
        let defaultDays = reader.optionalInt("issuer.policy.default_lifetime_days", in: days)
        if let maxDays, let defaultDays, defaultDays > maxDays {
            reader.problem("issuer.policy.default_lifetime_days", "must not exceed issuer.policy.max_lifetime_days (\(maxDays))")
        }
        return LifetimePolicy(
            maxLifetime: maxDays.map { Int64($0) * 86_400 },
            defaultLifetime: defaultDays.map { Int64($0) * 86_400 },
            expiryRequired: reader.bool("issuer.policy.expiry_required", default: false))
    }

    /// `sessions.*`, `login.*` and `users.bcrypt_cost`.
    mutating func parseAccounts() -> PatgateConfig.Accounts {
        var accounts = PatgateConfig.Accounts()
        accounts.idleTimeout = Int64(reader.int("sessions.idle_timeout_seconds", default: 1_800, in: 1...604_800))
        accounts.absoluteTimeout = Int64(reader.int("sessions.absolute_timeout_seconds", default: 43_200, in: 1...2_592_000))
        accounts.throttle = LoginThrottle.Settings(
            accountLimit: reader.int("login.max_failures_per_account", default: 5, in: 1...1_000),
            addressLimit: reader.int("login.max_failures_per_address", default: 20, in: 1...100_000),
            window: Int64(reader.int("login.window_seconds", default: 900, in: 1...86_400)),
            lockout: Int64(reader.int("login.lockout_seconds", default: 60, in: 1...86_400)))
        accounts.bcryptCost = reader.int("users.bcrypt_cost", default: 12, in: 4...16)
        return accounts
    }
}
