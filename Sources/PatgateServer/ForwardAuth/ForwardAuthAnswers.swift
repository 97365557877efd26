import HTTPTypes
import JSON
import NIOCore
import PatgateCore

/// Forward auth's answers (README "Forward auth", "Answers") and their audit lines: 200 with
/// `Authorization: Bearer <JWT>` and `X-Patgate-Subject`; 401 with RFC 6750's
/// `WWW-Authenticate` (one header: nginx passes only one on), challenging Basic too when the
/// client used Basic or sent nothing, so git asks for credentials; 403 `insufficient_scope`
/// or no route; 503 when the upstream or the store could not tell. Bodies are RFC 6749 style
/// JSON, never holding a credential.
struct ForwardAuthAnswers: Sendable {
    static let subjectHeader = HTTPField.Name("X-Patgate-Subject")!

    let settings: AuthzSettings
    let audit: any AuditLog
    /// The audit detail of an allowed answer by route id, fresh and cached: made once, as
    /// forward auth allows far more often than it denies.
    private let allowedDetails: [String: (fresh: String, cached: String)]
    /// `realm="…"` of the challenges.
    private let realm: String

    init(settings: AuthzSettings, audit: any AuditLog) {
        self.settings = settings
        self.audit = audit
        realm = #"realm="\#(settings.realm)""#
        allowedDetails = Dictionary(settings.routes.map { ($0.id, (Self.allowedDetail($0.id, cached: false), Self.allowedDetail($0.id, cached: true))) },
                                    uniquingKeysWith: { first, _ in first })
    }

    /// The answer's head and body, as the route writes them and `InlineAnswerHandler` too.
    /// `prepared`: the allow answer's headers, made with the JWT when it was minted (`allowHeaders`).
    func render(_ outcome: ForwardAuthOutcome, prepared: HTTPFields?, credential: GatewayCredential.Found,
                route: AuthzRoute?, address: String?) -> JSONResponse.Parts {
        record(outcome, route: route?.id, address: address)
        switch outcome {
        case .allowed(let grant):
            let headers = prepared ?? allowHeaders(token: grant.token, subject: grant.subject)
            return JSONResponse.Parts(head: HTTPResponse(status: .ok, headerFields: headers), body: ByteBuffer())
        case .missingCredential:
            return error(401, "invalid_request", "a credential is required",
                         challenge: "Bearer \(realm)" + basicChallenge(credential))
        case .invalidToken(let reason):
            return error(401, "invalid_token", reason,
                         challenge: #"Bearer \#(realm), error="invalid_token", error_description="\#(reason)""# + basicChallenge(credential))
        case .insufficientScope(let reason, _, _):
            let scope = route.map { ScopeList.join($0.scopes) } ?? ""
            return error(403, "insufficient_scope", reason,
                         challenge: #"Bearer \#(realm), error="insufficient_scope", scope="\#(scope)""#)
        case .noRoute:
            return error(403, "access_denied", "no route allows this request", challenge: nil)
        case .unavailable:
            return error(503, "temporarily_unavailable", "the token validation service is unavailable; try again later", challenge: nil)
        }
    }

    /// An allow answer's headers: the JWT for the gateway to pass on, and whose it is. Made once
    /// per JWT minted (the cache keeps them): the header check of a 600-byte value is not repeated.
    func allowHeaders(token: String, subject: String) -> HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(3)
        headers.append(HTTPField(name: .authorization, value: "Bearer " + token))
        if settings.sendsSubject { headers.append(HTTPField(name: Self.subjectHeader, value: subject)) }
        headers.append(HTTPField(name: .cacheControl, value: "no-store"))
        return headers
    }

    /// `, Basic realm=…` when the client used Basic or sent nothing: git then asks for a password.
    private func basicChallenge(_ credential: GatewayCredential.Found) -> String {
        let basic: Bool
        switch credential {
        case .none: basic = true
        case .malformed(let usedBasic): basic = usedBasic
        case .credential(let found): basic = found.scheme == .basic
        }
        return basic ? #", Basic \#(realm), charset="UTF-8""# : ""
    }

    private func error(_ status: Int, _ code: String, _ description: String, challenge: String?) -> JSONResponse.Parts {
        var json = JSONWriter()
        json.beginObject()
        json.field("error", code)
        json.field("error_description", description)
        json.endObject()
        var headers = HTTPFields()
        if let challenge { headers[.wwwAuthenticate] = challenge }
        if status == 503 { headers[.retryAfter] = "1" }
        return JSONResponse.noStoreParts(status: status, json.bytes, headers: headers)
    }

    /// One audit line per answer, as for an exchange: who, which PAT (its id), from where, and why.
    private func record(_ outcome: ForwardAuthOutcome, route: String?, address: String?) {
        let event: AuditEvent
        let time = UnixTime.now()
        switch outcome {
        case .allowed(let grant):
            let detail = allowedDetails[grant.route].map { grant.cached ? $0.cached : $0.fresh }
                ?? Self.allowedDetail(grant.route, cached: grant.cached)
            event = AuditEvent(time: time, kind: .authzAllowed, actor: grant.subject, target: grant.patID, address: address,
                               detail: detail)
        case .missingCredential:
            let routeText = Self.routeText(route)
            event = AuditEvent(time: time, kind: .authzDenied, actor: "anonymous", address: address, detail: "\(routeText): 401 no credential")
        case .invalidToken(let reason):
            let routeText = Self.routeText(route)
            event = AuditEvent(time: time, kind: .authzDenied, actor: "anonymous", address: address, detail: "\(routeText): 401 \(reason)")
        case .insufficientScope(let reason, let subject, let patID):
            let routeText = Self.routeText(route)
            event = AuditEvent(time: time, kind: .authzDenied, actor: subject, target: patID, address: address, detail: "\(routeText): 403 \(reason)")
        case .noRoute:
            event = AuditEvent(time: time, kind: .authzDenied, actor: "anonymous", address: address, detail: "no route: 403")
        case .unavailable(let reason):
            let routeText = Self.routeText(route)
            event = AuditEvent(time: time, kind: .authzFailed, actor: "anonymous", address: address, detail: "\(routeText): 503 \(reason)")
        }
        audit.record(event)
    }

    private static func routeText(_ route: String?) -> String {
        route.map { "route=\($0)" } ?? "no route"
    }

    private static func allowedDetail(_ route: String, cached: Bool) -> String {
        routeText(route) + (cached ? " cached" : "")
    }
}
