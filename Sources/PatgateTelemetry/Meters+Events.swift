import CoreMetrics

/// The recorders: one a kind of event, named after it, each a no-op while metrics are off.
extension Meters {
    /// One HTTP answer. `route` is the router's template (`/api/v1/tokens/{id}`), or
    /// `unmatched`; `method` one of the methods patgate serves, or `other`.
    public static func httpRequest(route: String, method: String, status: Int, nanoseconds: Int64) {
        recording { set in
            let key = LabelTriple(first: route, second: method, third: status)
            tally(set, nanoseconds) { ThreadTally.series(key, &$0.httpIDs, set.http) }
        }
    }

    /// One `POST /token`: `result` is `success` or the RFC 6749 error code; `clientID` a
    /// configured client's id once it authenticated, else `unknown`.
    public static func exchange(clientID: String, result: String) {
        recording { set in
            let key = LabelPair(clientID, result)
            tally(set) { ThreadTally.series(key, &$0.exchangeIDs, set.exchanges) }
        }
    }

    /// One introspection call to the upstream: `active`, `inactive`, `unreachable`,
    /// `error_status` or `malformed`.
    public static func introspection(outcome: String, nanoseconds: Int64) {
        guard let set else { return }
        set.introspections[outcome].increment()
        set.introspectionDuration.recordNanoseconds(nanoseconds)
    }

    /// A validation-cache lookup: `hit`, or a miss that `joined` an upstream call already in flight or started one.
    public static func cacheLookup(hit: Bool, joined: Bool = false) {
        recording { set in
            if hit {
                tally(set, set.cacheHits)
            } else {
                tally(set, set.cacheMisses)
                if joined { tally(set, set.cacheJoins) }
            }
        }
    }

    /// Entries the cache dropped to make room (not those a revocation purged), and its size after.
    public static func cacheEvicted(_ count: Int, entries: Int) {
        guard let set else { return }
        if count > 0 { set.cacheEvictions.increment(by: count) }
        set.cacheEntries.set(entries)
    }

    /// The validation cache's size.
    public static func cacheEntries(_ entries: Int) {
        set?.cacheEntries.set(entries)
    }

    /// A revocation event applied to the cache; `lagSeconds`: from the event's time to now.
    public static func revocation(kind: String, lagSeconds: Double) {
        guard let set else { return }
        set.revocationEvents[kind].increment()
        set.revocationLag.recordNanoseconds(Int64(max(0, lagSeconds) * 1_000_000_000))
    }

    /// One access token signed.
    public static func signed(nanoseconds: Int64) {
        recording { tally($0, $0.signingDuration, nanoseconds) }
    }

    /// One credential provider's answer: `issued`, `rejected` (the request was refused before
    /// issuing) or `failed`.
    public static func credential(provider: String, outcome: String, nanoseconds: Int64?) {
        guard let set else { return }
        set.credentials[LabelPair(provider, outcome)].increment()
        if let nanoseconds { set.credentialDuration[provider].recordNanoseconds(nanoseconds) }
    }

    /// One database operation (`db`: `postgres` or `sqlite`; `operation`: `read`, `write`, `query`, `transaction`).
    public static func database(_ db: String, operation: String, nanoseconds: Int64) {
        set?.databaseDuration[LabelPair(db, operation)].recordNanoseconds(nanoseconds)
    }

    /// Connections of `db` leased by an operation now, when it changes by `delta`.
    public static func databaseInUse(_ db: String, delta: Int) {
        guard let set else { return }
        if delta > 0 { set.databaseInUse[db].increment(by: Double(delta)) } else { set.databaseInUse[db].decrement(by: Double(-delta)) }
    }

    /// One console or management-API login: `success`, `failure`, or `locked_out` (refused
    /// because the account or address is locked after too many failures).
    public static func login(result: String) {
        set?.logins[result].increment()
    }

    /// One forward-auth decision (`/authz/*`).
    public static func forwardAuthDecision(_ decision: ForwardAuthDecision) {
        recording { tally($0, $0.forwardAuth[decision.position]) }
    }

    /// The number of PATs in `state` (`active`, `expired`, `revoked`), set periodically.
    public static func pats(state: String, count: Int) {
        set?.pats[state].set(count)
    }

    /// When a signing key was made (its file's modification time); `role`: `active`, `next`, `retired`.
    public static func signingKey(id: String, role: String, createdAt: Int64) {
        set?.keyCreated[LabelPair(id, role)].set(createdAt)
    }

    /// The validity of the X.509 credential provider's CA certificate.
    public static func certificateAuthority(notBefore: Int64, notAfter: Int64) {
        guard let set else { return }
        set.caNotBefore.set(notBefore)
        set.caNotAfter.set(notAfter)
    }
}

/// `patgate_forward_auth_decisions_total{result}`: `allow`, `deny`, or `error` (fail closed).
public enum ForwardAuthDecision: String, CaseIterable, Sendable {
    case allow, deny, error

    /// The position in `allCases`, without searching it.
    var position: Int {
        switch self {
        case .allow: 0
        case .deny: 1
        case .error: 2
        }
    }
}
