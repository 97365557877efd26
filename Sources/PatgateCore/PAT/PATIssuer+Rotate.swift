extension PATIssuer {
    /// Replaces an active PAT with a new one of the same owner, name and scopes that lives
    /// `lifetime` seconds (`nil`: no expiry); the old one is revoked in the same transaction.
    public func rotate(_ old: PersonalAccessToken, lifetime: Int64?) async throws -> (token: PersonalAccessToken, value: String) {
        let created = currentTime()
        let token = PersonalAccessToken(
            id: try Self.newID(), owner: old.owner, name: old.name, scopes: old.scopes, createdAt: created,
            expiresAt: lifetime.map { created + $0 })
        let value = try format.generate()
        try await store.rotate(oldID: old.id, replacement: token, valueHash: hash(value), at: created)
        return (token, value)
    }
}
