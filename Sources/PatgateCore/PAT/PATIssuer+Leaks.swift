extension PATIssuer {
    /// The PAT whose value this is, in any state (active, expired, revoked), or `nil` when the
    /// value is not well-formed (no store read) or not one of ours. For leak reports, which
    /// must tell a real, already revoked PAT from a string that only looks like one.
    public func find(value: String) async throws -> PersonalAccessToken? {
        guard format.isWellFormed(value) else { return nil }
        return try await store.find(valueHash: hash(value))
    }
}
