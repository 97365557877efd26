/// The administrator's expiration policy for PATs (`issuer.policy.*`): none by default.
public struct LifetimePolicy: Sendable, Equatable {
    /// The longest lifetime a new PAT may have, in seconds; `nil`: no limit.
    public var maxLifetime: Int64?
    /// The lifetime a PAT gets when the request names none; `nil`: it does not expire.
    public var defaultLifetime: Int64?
    /// Every PAT must expire (a request without expiry and no default is refused).
    public var expiryRequired: Bool

    public init(maxLifetime: Int64? = nil, defaultLifetime: Int64? = nil, expiryRequired: Bool = false) {
        self.maxLifetime = maxLifetime
        self.defaultLifetime = defaultLifetime
        self.expiryRequired = expiryRequired
    }

    public static let none = LifetimePolicy()

    /// The lifetime of a new PAT for a request that asked for `requested` seconds (or none).
    public func lifetime(requested: Int64?) throws(PATError) -> Int64? {
        if let requested {
            guard requested > 0 else { throw PATError(.invalidExpiry, "the expiry must be in the future") }
            if let maxLifetime, requested > maxLifetime {
                throw PATError(.policyViolation, "the expiry is beyond the policy: tokens may live at most \(Self.describe(maxLifetime))")
            }
            return requested
        }
        if let defaultLifetime { return min(defaultLifetime, maxLifetime ?? defaultLifetime) }
        if let maxLifetime {
            throw PATError(.policyViolation, "the policy requires an expiry of at most \(Self.describe(maxLifetime)); set expires_at or expires_in")
        }
        if expiryRequired {
            throw PATError(.policyViolation, "the policy requires every token to expire; set expires_at or expires_in")
        }
        return nil
    }

    /// The lifetime of a rotated PAT: the original lifetime (`nil`: none), capped by the policy.
    public func rotatedLifetime(original: Int64?) throws(PATError) -> Int64? {
        guard let original else {
            if maxLifetime != nil || expiryRequired { return try lifetime(requested: defaultLifetime ?? maxLifetime) }
            return nil
        }
        return min(max(original, 1), maxLifetime ?? original)
    }

    /// `90 days`, `12 hours`, `30 seconds`.
    static func describe(_ seconds: Int64) -> String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400) day" + (seconds == 86_400 ? "" : "s") }
        if seconds % 3_600 == 0 { return "\(seconds / 3_600) hour" + (seconds == 3_600 ? "" : "s") }
        return "\(seconds) second" + (seconds == 1 ? "" : "s")
    }
}
