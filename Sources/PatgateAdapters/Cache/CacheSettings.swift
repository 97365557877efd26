/// How long and how much the gateway remembers about subject tokens.
public struct CacheSettings: Sendable, Equatable {
    /// Upper bound for remembering an active token, in seconds: the revocation delay (invariant 5).
    public var positiveTTL: Int64
    /// How long an inactive answer is remembered, in seconds.
    public var negativeTTL: Int64
    /// Entries kept at most; beyond it, expired entries and then arbitrary ones are dropped.
    public var maxEntries: Int

    public init(positiveTTL: Int64 = 60, negativeTTL: Int64 = 5, maxEntries: Int = 100_000) {
        self.positiveTTL = positiveTTL
        self.negativeTTL = negativeTTL
        self.maxEntries = maxEntries
    }
}
