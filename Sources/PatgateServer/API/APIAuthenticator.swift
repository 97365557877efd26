import PatgateAdapters
import Foundation
import HTTPTypes
import Hummingbird
import JOSE
import PatgateCore

/// Who calls the management API: a console session (cookie + CSRF token on every
/// state-changing request, same-origin only) or `Authorization: Bearer` with a PAT or a
/// JWT minted by this gateway, carrying the `tokens` scope. A bearer principal carries the
/// credential's scopes, the most it may grant; a session acts as the user.
struct APIAuthenticator: Sendable {
    static let cookieName = "patgate_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let requiredScope = PATIssuer.managementScope

    let sessions: SessionService
    let users: any UserStore
    let usage: UsageQueue
    let issuer: PATIssuer
    let minted: MintedTokenCheck
    let issuerURL: String
    /// Audiences a JWT must name to reach the management API (`apiAudiences`) reload with the policy.
    let live: LiveSettings

    init(config: PatgateConfig, live: LiveSettings, management: Components.Management, issuer: PATIssuer) {
        sessions = management.sessions
        users = management.stores.users
        usage = management.usage
        self.issuer = issuer
        issuerURL = config.server.issuer
        minted = MintedTokenCheck(live: live, issuerURL: issuerURL, issuer: issuer, users: management.stores.users)
        self.live = live
    }

    /// The caller, or a 401/403 problem. `admin` also requires the administrator role.
    func authenticate(_ request: Request, _ context: PatgateRequestContext, admin: Bool = false) async throws -> Principal {
        let principal: Principal
        if let authorization = request.headers[.authorization] {
            principal = try await bearer(authorization, address: context.clientAddress, context: context)
        } else if let cookie = request.cookies[Self.cookieName]?.value, !cookie.isEmpty {
            guard let (session, user) = try await sessions.resolve(cookie: cookie) else {
                throw Problem.unauthenticated("the session has ended; log in again")
            }
            if Self.isStateChanging(request.method) {
                try CrossSiteCheck.check(request, issuerURL: issuerURL)
                guard SessionService.csrfMatches(request.headers[Self.csrfHeader], session) else {
                    throw Problem.forbidden("csrf_failed", "send the session's csrf_token in the X-CSRF-Token header")
                }
            }
            principal = Principal(username: user.username, role: user.role, method: .session, address: context.clientAddress)
        } else {
            throw Problem.unauthenticated()
        }
        if admin, !principal.isAdmin {
            throw Problem.forbidden("forbidden", "this needs the administrator role")
        }
        return principal
    }

    static func isStateChanging(_ method: HTTPRequest.Method) -> Bool {
        ![.get, .head, .options].contains(method)
    }

    private func bearer(_ authorization: String, address: String?, context: PatgateRequestContext) async throws -> Principal {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthenticated("use Authorization: Bearer <PAT or JWT>")
        }
        let credential = parts[1].trimmingCharacters(in: .whitespaces)
        let invalid = Problem.unauthenticated("the bearer token is invalid, expired or revoked")
        let username: String
        let scopes: [String]
        let method: Principal.Method
        let patExpiry: Int64?
        if issuer.format.isWellFormed(credential) {
            guard let pat = try await issuer.introspect(credential) else { throw invalid }
            (username, scopes, method, patExpiry) = (pat.owner, pat.scopes, .pat, pat.expiresAt)
            if pat.scopes.contains(Self.requiredScope) {
                usage.record(pat, address: address)
            }
        } else {
            // A JWT of ours for the management API (its `aud` names the issuer URL or a default
            // audience, never another resource), worth no more than the PAT it came from,
            // checked now (invariant 7 in docs/ARCHITECTURE.md).
            guard let token = minted.verify(credential), token.audiences.contains(where: live.current.apiAudiences.contains),
                  let pat = try await minted.livePAT(of: token)
            else { throw invalid }
            (username, scopes, method, patExpiry) = (token.subject, token.scopes, .jwt, pat.expiresAt)
        }
        guard scopes.contains(Self.requiredScope) else {
            throw Problem.forbidden("insufficient_scope", "the bearer token lacks the '\(Self.requiredScope)' scope")
        }
        let user = try await users.find(username: username)
        if user?.disabled == true { throw invalid }
        // The credential's scopes and its PAT's expiry bound what it may grant (invariant 7 in
        // docs/ARCHITECTURE.md).
        return Principal(username: username, role: user?.role ?? .user, method: method, address: address, heldScopes: scopes,
                         credentialExpiresAt: patExpiry)
    }
}
