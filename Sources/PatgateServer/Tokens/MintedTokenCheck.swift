import JOSE
import PatgateCore

/// Whether a JWT this gateway minted still stands: valid as a token (`MintedToken.verify`)
/// and worth no more than its PAT, checked now: the PAT named by `pat_id` exists, belongs to
/// the token's subject, is neither revoked nor expired, and its owner is not disabled
/// (invariant 7 in docs/ARCHITECTURE.md). The management API and `/introspect` ask the same.
struct MintedTokenCheck: Sendable {
    /// The published keys in force (`ReloadableSettings.verifier`).
    let live: LiveSettings
    let issuerURL: String
    let issuer: PATIssuer
    let users: any UserStore

    init(live: LiveSettings, issuerURL: String, issuer: PATIssuer, users: any UserStore) {
        self.live = live
        self.issuerURL = issuerURL
        self.issuer = issuer
        self.users = users
    }

    /// The token's claims when it is one of ours, still valid, with no audience check.
    func verify(_ token: String) -> MintedToken? {
        MintedToken.verify(token, verifier: live.current.verifier, issuer: issuerURL, now: issuer.currentTime())
    }

    /// The PAT `token` came from, when it is still active and its owner enabled; `nil`
    /// otherwise, also for a token without `pat_id`. Throws when a store fails.
    func livePAT(of token: MintedToken) async throws -> PersonalAccessToken? {
        guard let patID = token.patID, let pat = try await issuer.store.find(id: patID),
              pat.owner == token.subject, pat.state(at: issuer.currentTime()) == .active,
              try await users.find(username: pat.owner)?.disabled != true
        else { return nil }
        return pat
    }

    /// `token` and its PAT when both stand; `nil` otherwise.
    func live(_ token: String) async throws -> (token: MintedToken, pat: PersonalAccessToken)? {
        guard let minted = verify(token), let pat = try await livePAT(of: minted) else { return nil }
        return (minted, pat)
    }
}
