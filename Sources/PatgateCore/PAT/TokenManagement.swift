/// The PAT lifecycle as people and scripts drive it (the management API): every rule the
/// API enforces — ownership, the expiration policy, names and scopes — and the audit trail.
public struct TokenManagement: Sendable {
    public let issuer: PATIssuer
    private let currentPolicy: @Sendable () -> LifetimePolicy
    private let audit: any AuditLog

    public init(issuer: PATIssuer, policy: LifetimePolicy, audit: any AuditLog) {
        self.init(issuer: issuer, policy: { policy }, audit: audit)
    }

    /// `policy` is asked on every call: a server reloads it on SIGHUP.
    public init(issuer: PATIssuer, policy: @escaping @Sendable () -> LifetimePolicy, audit: any AuditLog) {
        self.issuer = issuer
        self.currentPolicy = policy
        self.audit = audit
    }

    /// The expiration policy in force now.
    public var policy: LifetimePolicy { currentPolicy() }

    /// What a create request asks for; at most one of `expiresAt` and `expiresIn`.
    public struct Request: Sendable {
        public var name: String
        public var scopes: [String]
        public var expiresAt: Int64?
        public var expiresIn: Int64?

        public init(name: String, scopes: [String], expiresAt: Int64? = nil, expiresIn: Int64? = nil) {
            self.name = name
            self.scopes = scopes
            self.expiresAt = expiresAt
            self.expiresIn = expiresIn
        }
    }

    /// A new PAT owned by `principal`; its value is returned once. A caller authenticated by a
    /// PAT or a JWT gets only scopes its credential holds (`insufficientScope` otherwise) and
    /// a token that does not outlive its PAT: an expiry asked past it is `outlivesCredential`,
    /// and a token asked without one expires with the caller's PAT (or sooner, by the policy).
    public func create(_ request: Request, by principal: Principal) async throws -> (token: PersonalAccessToken, value: String) {
        var scopes: [String] = []
        for scope in request.scopes where !scopes.contains(scope) { scopes.append(scope) }
        guard !scopes.isEmpty else {
            throw PATError(.invalidScope, "choose at least one scope from: \(issuer.scopeCatalogue.joined(separator: " "))")
        }
        // Scopes outside the catalogue are the issuer's `invalidScope` (400), not this check's.
        try checkHeld(scopes.filter { issuer.scopeCatalogue.contains($0) }, by: principal, doing: "create")
        var lifetime: Int64?
        do {
            lifetime = try policy.lifetime(requested: try requestedLifetime(request))
        } catch {
            if error.code == .policyViolation { reject(error, principal) }
            throw error
        }
        if let limit = remaining(principal), lifetime.map({ $0 > limit }) ?? true {
            guard request.expiresAt == nil, request.expiresIn == nil else {
                let credential = principal.method == .jwt ? "the PAT of the JWT you authenticated with" : "the PAT you authenticated with"
                let error = PATError(.outlivesCredential, """
                    \(credential) expires at \(RFC3339.format(issuer.currentTime() + limit)); \
                    it can only create tokens that expire by then
                    """)
                reject(error, principal)
                throw error
            }
            lifetime = limit
        }
        let created = try await issuer.create(owner: principal.username, name: request.name, scopes: scopes, expiresIn: lifetime)
        record(.patCreated, created.token, principal, detail: "name=\(created.token.name)")
        return created
    }

    private func requestedLifetime(_ request: Request) throws(PATError) -> Int64? {
        switch (request.expiresAt, request.expiresIn) {
        case (.some, .some):
            throw PATError(.invalidExpiry, "give expires_at or expires_in, not both")
        case (let expiresAt?, nil):
            let lifetime = expiresAt - issuer.currentTime()
            guard lifetime > 0 else { throw PATError(.invalidExpiry, "expires_at must be in the future") }
            return lifetime
        case (nil, let expiresIn?):
            guard expiresIn > 0 else { throw PATError(.invalidExpiry, "expires_in must be a positive number of seconds") }
            return expiresIn
        case (nil, nil):
            return nil
        }
    }

    /// One page of `owner`'s tokens (`nil`: every owner's, for administrators).
    public func page(owner: String?, state: PersonalAccessToken.State?, limit: Int, cursor: String?) async throws -> PATPage {
        try await issuer.store.page(PATQuery(owner: owner, state: state, now: issuer.currentTime(), limit: limit, cursor: cursor))
    }

    /// The token `id` if `principal` owns it (or `asAdmin`); otherwise `notFound`, so the
    /// existence of other people's tokens is not revealed.
    public func token(_ id: String, for principal: Principal, asAdmin: Bool = false) async throws -> PersonalAccessToken {
        guard let token = try await issuer.store.find(id: id), asAdmin || token.owner == principal.username else {
            throw PATError(.notFound, "no token with id '\(id)'")
        }
        return token
    }

    /// Revokes; revoking a revoked token is fine.
    public func revoke(_ id: String, by principal: Principal, asAdmin: Bool = false) async throws {
        let token = try await token(id, for: principal, asAdmin: asAdmin)
        guard token.revokedAt == nil else { return }
        _ = try await issuer.store.revoke(id: id, at: issuer.currentTime())
        record(.patRevoked, token, principal, detail: asAdmin && token.owner != principal.username ? "owner=\(token.owner)" : nil)
    }

    /// A new value for the token `id`: same owner, name and scopes, the same lifetime
    /// (capped by the policy); the old token is revoked in the same transaction. A caller
    /// authenticated by a PAT or a JWT must hold every scope of the token it rotates, and the
    /// new token expires no later than the caller's PAT: rotating never extends a PAT's life.
    public func rotate(_ id: String, by principal: Principal) async throws -> (token: PersonalAccessToken, value: String) {
        let old = try await token(id, for: principal)
        guard old.state(at: issuer.currentTime()) == .active else {
            throw PATError(.notFound, "no active token with id '\(id)'; only active tokens can be rotated")
        }
        try checkHeld(old.scopes, by: principal, doing: "rotate")
        var lifetime: Int64?
        do {
            lifetime = try policy.rotatedLifetime(original: old.expiresAt.map { $0 - old.createdAt })
        } catch {
            reject(error, principal)
            throw error
        }
        if let limit = remaining(principal) { lifetime = min(lifetime ?? limit, limit) }
        let rotated = try await issuer.rotate(old, lifetime: lifetime)
        record(.patRotated, rotated.token, principal, detail: "replaces=\(old.id)")
        return rotated
    }

    /// The seconds left of the caller's PAT; `nil` when it does not expire (or for a session or
    /// the CLI). A leaked PAT cannot mint itself a longer-lived successor (invariant 7 in
    /// docs/ARCHITECTURE.md).
    private func remaining(_ principal: Principal) -> Int64? {
        principal.credentialExpiresAt.map { max(1, $0 - issuer.currentTime()) }
    }

    /// A caller never grants more scope than it holds (invariant 7 in docs/ARCHITECTURE.md).
    private func checkHeld(_ scopes: [String], by principal: Principal, doing action: String) throws(PATError) {
        let lacking = principal.lacking(scopes)
        guard !lacking.isEmpty else { return }
        let error = PATError(.insufficientScope, """
            the \(principal.method.rawValue.uppercased()) you authenticated with lacks \(lacking.joined(separator: " ")); \
            it can only \(action) tokens with scopes it holds (\((principal.heldScopes ?? []).joined(separator: " ")))
            """)
        reject(error, principal)
        throw error
    }

    private func record(_ kind: AuditEvent.Kind, _ token: PersonalAccessToken, _ principal: Principal, detail: String?) {
        audit.record(AuditEvent(time: issuer.currentTime(), kind: kind, actor: principal.username, target: token.id,
                                address: principal.address, detail: detail))
    }

    private func reject(_ error: PATError, _ principal: Principal) {
        audit.record(AuditEvent(time: issuer.currentTime(), kind: .policyRejected, actor: principal.username,
                                address: principal.address, detail: error.description))
    }
}
