import PatgateAdapters
import PatgateCore

/// Decides one forward-auth request (README "Forward auth"): the route, the credential, and
/// then either a JWT of ours checked locally or a PAT swapped for a JWT. The swap is `/token`'s:
/// the same validator (the cache in front of the libcurl introspection client, the one
/// validation path), the same `ExchangePolicy` for `authz.client` with the route's scopes and
/// audience, the same `AccessTokenMinter`; its JWTs are cached per (PAT digest, route).
struct ForwardAuthService: Sendable {
    let settings: AuthzSettings
    /// `/token`'s validator, policy and minter, and `authz.client` among its clients, as in
    /// force now (they reload on SIGHUP).
    let live: LiveSettings
    let cache: ForwardAuthTokenCache?
    /// Checks a JWT of ours and its PAT; `nil` without the built-in issuer, where a JWT cannot
    /// be checked against its PAT and is refused.
    let minted: MintedTokenCheck?
    let now: @Sendable () -> Int64

    /// `route`: the one that covers the original request (`AuthzSettings.route(for:)`); `nil`: none does.
    /// Without a credential the answer is 401 whatever the route (authenticate first, so a client is
    /// asked for one); with one, a request no route covers is 403 before anything is validated.
    func decide(_ route: AuthzRoute?, credential: GatewayCredential.Found) async -> ForwardAuthOutcome {
        if case .none = credential { return .missingCredential }
        guard let route else { return .noRoute }
        switch credential {
        case .none: return .missingCredential
        case .malformed: return .invalidToken("the credential is malformed")
        case .credential(let credential):
            if credential.looksLikeJWT, let minted, let token = minted.verify(credential.value) {
                return await check(token, credential.value, route: route, minted: minted)
            }
            return await exchange(credential.value, route: route)
        }
    }

    /// A JWT we minted: allowed as it is when its PAT stands and it fits the route.
    private func check(_ token: MintedToken, _ value: String, route: AuthzRoute, minted: MintedTokenCheck) async -> ForwardAuthOutcome {
        let pat: PersonalAccessToken?
        do {
            pat = try await minted.livePAT(of: token)
        } catch {
            return .unavailable("the token store could not be read")
        }
        guard pat != nil else { return .invalidToken("the token's PAT is revoked or expired") }
        guard token.audiences.contains(route.audience) else { return .invalidToken("the token is not for this audience") }
        guard Set(route.scopes).isSubset(of: token.scopes) else { return .insufficientScope("the token lacks the route's scopes", subject: token.subject, patID: token.patID) }
        return .allowed(ForwardAuthGrant(token: value, subject: token.subject, patID: token.patID, route: route.id, cached: false))
    }

    /// A PAT: the cached JWT for it on this route, or a new one as `/token` would mint it.
    private func exchange(_ pat: String, route: AuthzRoute) async -> ForwardAuthOutcome {
        let looked = cache?.lookup(pat: pat, route: route.id, now: now())
        if let entry = looked?.entry {
            return .allowed(ForwardAuthGrant(token: entry.token, subject: entry.subject, patID: entry.patID, route: route.id, cached: true))
        }
        let exchange = live.current.exchange
        guard let client = exchange.clients.client(id: settings.clientID) else {
            return .unavailable("authz.client is not a configured client")
        }
        let result: ValidationResult
        do {
            result = try await exchange.validator.validate(pat)
        } catch {
            return .unavailable("the token validation service is unavailable")
        }
        guard case .active(let subject) = result else { return .invalidToken("the token is unknown or no longer active") }
        let issuedAt = now()
        let request = TokenExchangeRequest(subjectToken: pat, scopes: route.scopes, audiences: [route.audience])
        let decision: ExchangePolicy.Decision
        do {
            decision = try exchange.policy.decide(request, client: client, subject: subject, now: issuedAt)
        } catch {
            switch error.code {
            case .invalidScope: return .insufficientScope("the token lacks the route's scopes", subject: subject.subject, patID: subject.tokenID)
            case .invalidRequest: return .invalidToken("the token is unknown or no longer active")
            default: return .insufficientScope("the route's audience is not allowed for the client", subject: subject.subject, patID: subject.tokenID)
            }
        }
        let grant = AccessTokenMinter.Grant(subject: subject, clientID: client.id, scopes: decision.scopes,
                                            audiences: decision.audiences, issuedAt: issuedAt, lifetime: decision.lifetime)
        let token: String
        do {
            token = try exchange.minter.mint(grant)
        } catch {
            return .unavailable("the token could not be signed")
        }
        if let cache, let looked {
            cache.store(token, identity: subject, under: looked.key, issuedAt: issuedAt,
                        expiresAt: issuedAt + decision.lifetime, purges: looked.purges)
        }
        return .allowed(ForwardAuthGrant(token: token, subject: subject.subject, patID: subject.tokenID, route: route.id, cached: false))
    }
}
