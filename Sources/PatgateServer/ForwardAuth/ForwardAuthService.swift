import HTTPTypes
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
    let cache: ForwardAuthTokenCache<HTTPFields>?
    /// The allow answer's headers for a JWT and its subject, made once per minted JWT.
    let allowHeaders: @Sendable (_ token: String, _ subject: String) -> HTTPFields
    /// Checks a JWT of ours and its PAT; `nil` without the built-in issuer, where a JWT cannot
    /// be checked against its PAT and is refused.
    let minted: MintedTokenCheck?
    let now: @Sendable () -> Int64

    /// An outcome, with the allow answer's headers when they were made with the JWT (a cached
    /// one, or one just minted and cached).
    struct Decision: Sendable {
        let outcome: ForwardAuthOutcome
        let headers: HTTPFields?

        init(_ outcome: ForwardAuthOutcome, headers: HTTPFields? = nil) {
            self.outcome = outcome
            self.headers = headers
        }
    }

    /// What a decision waits for after its synchronous first look (`look`), if anything.
    enum FirstLook: Sendable {
        /// Decided without waiting: no credential, no route, a malformed one, or a cached JWT.
        case decided(Decision)
        /// A JWT of ours: its PAT is read from the store (`check`).
        case minted(MintedToken, token: String, route: AuthzRoute, check: MintedTokenCheck)
        /// A PAT without a cached JWT for the route: validated and exchanged; `lookup` is where
        /// the new JWT is cached.
        case uncached(pat: String, route: AuthzRoute, lookup: ForwardAuthTokenCache<HTTPFields>.Lookup?)
    }

    /// The part of a decision that never waits. A cache hit, forward auth's common answer, ends
    /// here: the route's handler calls `finish` (an async call, with its frame) only when this
    /// leaves something to wait for.
    /// `route`: the one that covers the original request (`AuthzSettings.route(for:)`); `nil`: none does.
    /// Without a credential the answer is 401 whatever the route (authenticate first, so a client is
    /// asked for one); with one, a request no route covers is 403 before anything is validated.
    func look(_ route: AuthzRoute?, credential: GatewayCredential.Found) -> FirstLook {
        if case .none = credential { return .decided(Decision(.missingCredential)) }
        guard let route else { return .decided(Decision(.noRoute)) }
        switch credential {
        case .none: return .decided(Decision(.missingCredential))
        case .malformed: return .decided(Decision(.invalidToken("the credential is malformed")))
        case .credential(let credential):
            if credential.looksLikeJWT, let minted, let token = minted.verify(credential.value) {
                return .minted(token, token: credential.value, route: route, check: minted)
            }
            let looked = cache?.lookup(pat: credential.value, route: route.id, now: now())
            if let entry = looked?.entry {
                let grant = ForwardAuthGrant(token: entry.token, subject: entry.subject, patID: entry.patID, route: route.id, cached: true)
                return .decided(Decision(.allowed(grant), headers: entry.answer))
            }
            return .uncached(pat: credential.value, route: route, lookup: looked)
        }
    }

    /// The rest of a decision `look` could not make.
    func finish(_ look: FirstLook) async -> Decision {
        switch look {
        case .decided(let decision): decision
        case .minted(let token, let value, let route, let minted): Decision(await check(token, value, route: route, minted: minted))
        case .uncached(let pat, let route, let lookup): await exchange(pat, route: route, cached: lookup)
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

    /// A PAT without a cached JWT for the route: a new one as `/token` would mint it, kept under `cached`.
    private func exchange(_ pat: String, route: AuthzRoute, cached looked: ForwardAuthTokenCache<HTTPFields>.Lookup?) async -> Decision {
        let exchange = live.current.exchange
        guard let client = exchange.clients.client(id: settings.clientID) else {
            return Decision(.unavailable("authz.client is not a configured client"))
        }
        let result: ValidationResult
        do {
            result = try await exchange.validator.validate(pat)
        } catch {
            return Decision(.unavailable("the token validation service is unavailable"))
        }
        guard case .active(let subject) = result else { return Decision(.invalidToken("the token is unknown or no longer active")) }
        let issuedAt = now()
        let request = TokenExchangeRequest(subjectToken: pat, scopes: route.scopes, audiences: [route.audience])
        let decision: ExchangePolicy.Decision
        do {
            decision = try exchange.policy.decide(request, client: client, subject: subject, now: issuedAt)
        } catch {
            switch error.code {
            case .invalidScope: return Decision(.insufficientScope("the token lacks the route's scopes", subject: subject.subject, patID: subject.tokenID))
            case .invalidRequest: return Decision(.invalidToken("the token is unknown or no longer active"))
            default: return Decision(.insufficientScope("the route's audience is not allowed for the client", subject: subject.subject, patID: subject.tokenID))
            }
        }
        let grant = AccessTokenMinter.Grant(subject: subject, clientID: client.id, scopes: decision.scopes,
                                            audiences: decision.audiences, issuedAt: issuedAt, lifetime: decision.lifetime)
        let token: String
        do {
            token = try exchange.minter.mint(grant)
        } catch {
            return Decision(.unavailable("the token could not be signed"))
        }
        let headers = allowHeaders(token, subject.subject)
        if let cache, let looked {
            cache.store(token, answer: headers, identity: subject, under: looked.key, issuedAt: issuedAt,
                        expiresAt: issuedAt + decision.lifetime, purges: looked.purges)
        }
        let allowed = ForwardAuthGrant(token: token, subject: subject.subject, patID: subject.tokenID, route: route.id, cached: false)
        return Decision(.allowed(allowed), headers: headers)
    }
}
