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
    let verifier: JWTVerifier
    let issuerURL: String
    /// Audiences a JWT must name to reach the management API.
    let apiAudiences: Set<String>

    init(config: PatgateConfig, keys: KeyRing, management: Components.Management, issuer: PATIssuer) {
        sessions = management.sessions
        users = management.stores.users
        usage = management.usage
        self.issuer = issuer
        verifier = JWTVerifier(keys: [keys.active] + keys.retired)
        issuerURL = config.server.issuer
        apiAudiences = Set(config.policy.defaultAudiences + [issuerURL])
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
        let username: String
        let scopes: [String]
        let method: Principal.Method
        if issuer.format.isWellFormed(credential) {
            guard let pat = try await issuer.introspect(credential) else {
                throw Problem.unauthenticated("the bearer token is invalid, expired or revoked")
            }
            (username, scopes, method) = (pat.owner, pat.scopes, .pat)
            if pat.scopes.contains(Self.requiredScope) {
                usage.record(pat, address: address)
            }
        } else {
            let claims = try BearerJWT.claims(credential, verifier: verifier, issuer: issuerURL, audiences: apiAudiences,
                                              now: issuer.currentTime())
            // A JWT is worth no more than the PAT it came from, checked now: revoked or expired
            // since the JWT was minted, it manages nothing (invariant 7 in docs/ARCHITECTURE.md).
            guard let patID = claims.patID, let pat = try await issuer.store.find(id: patID),
                  pat.owner == claims.subject, pat.state(at: issuer.currentTime()) == .active
            else {
                throw Problem.unauthenticated("the bearer token is invalid, expired or revoked")
            }
            (username, scopes, method) = (claims.subject, claims.scopes, .jwt)
        }
        guard scopes.contains(Self.requiredScope) else {
            throw Problem.forbidden("insufficient_scope", "the bearer token lacks the '\(Self.requiredScope)' scope")
        }
        let user = try await users.find(username: username)
        if user?.disabled == true { throw Problem.unauthenticated("the bearer token is invalid, expired or revoked") }
        // The credential's scopes bound what it may grant (invariant 7 in docs/ARCHITECTURE.md).
        return Principal(username: username, role: user?.role ?? .user, method: method, address: address, heldScopes: scopes)
    }
}
