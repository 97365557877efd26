/// How long and how much the gateway remembers about subject tokens.
public struct CacheSettings: Sendable, Equatable {
    /// Upper bound for remembering an active token, in seconds: the revocation delay (invariant 5 in docs/ARCHITECTURE.md).
    public var positiveTTL: Int64
    /// How long an inactive answer is remembered, in seconds.
    public var negativeTTL: Int64
    /// Entries kept at most; when full, each new answer drops one, the soonest to expire of a
    /// few (`ExpiringTable`).
    public var maxEntries: Int
    /// The upstream claims worth keeping (`SubjectIdentity.claims`); `nil` keeps them all.
    /// The gateway keeps only what its claim copy reads, so that an entry stays small.
    public var keptClaims: Set<String>?

    public init(positiveTTL: Int64 = 60, negativeTTL: Int64 = 5, maxEntries: Int = 100_000,
                keptClaims: Set<String>? = nil) {
        self.positiveTTL = positiveTTL
        self.negativeTTL = negativeTTL
        self.maxEntries = maxEntries
        self.keptClaims = keptClaims
    }
}
