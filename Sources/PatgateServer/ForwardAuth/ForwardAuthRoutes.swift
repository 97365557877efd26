import HTTPTypes
import Hummingbird
import PatgateAdapters
import PatgateCore
import PatgateTelemetry

/// The forward-auth endpoints (README "Forward auth"), one per gateway convention, any
/// method, each reading the original request from where its gateway puts it:
/// - `/authz/forward-auth`: Traefik `ForwardAuth`, Caddy `forward_auth` (`X-Forwarded-Method`,
///   `-Host`, `-Uri`);
/// - `/authz/auth-request`: nginx `auth_request` (`X-Original-URL`, `X-Original-Method`);
/// - `/authz/ext-authz/…`: Envoy `ext_authz` over HTTP (the original path after the prefix,
///   its method and `Host` as they are).
/// A class: the handlers of all its routes hold one reference, not each a copy of its fields.
final class ForwardAuthRoutes: Sendable {
    static let forwardedMethod = HTTPField.Name("X-Forwarded-Method")!
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
    static let forwardedURI = HTTPField.Name("X-Forwarded-Uri")!
    static let originalURL = HTTPField.Name("X-Original-URL")!
    static let originalMethod = HTTPField.Name("X-Original-Method")!
    static let extAuthzPrefix = "/authz/ext-authz"
    /// The methods registered: RFC 9110's and PATCH. Gateways that send the original method
    /// (nginx, Envoy) send one of these for every API and git request.
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .connect]

    let service: ForwardAuthService
    let answers: ForwardAuthAnswers
    /// The headers of each convention, `authz.credential_header` among them when configured.
    let forwardAuthHeaders: ForwardAuthHeaders.Names
    let authRequestHeaders: ForwardAuthHeaders.Names
    let extAuthzHeaders: ForwardAuthHeaders.Names

    /// Built from the composition root's pieces: the exchange in force (its validator, policy,
    /// minter and `authz.client`, checked by the configuration parser); `nil` without `authz`.
    init?(_ components: Components) {
        guard let settings = components.config.authz else { return nil }
        let minted = components.issuer.flatMap { issuer in
            components.management.map {
                MintedTokenCheck(live: components.live, issuerURL: components.config.server.issuer, issuer: issuer, users: $0.stores.users)
            }
        }
        let answers = ForwardAuthAnswers(settings: settings, audit: components.audit)
        self.answers = answers
        service = ForwardAuthService(settings: settings, live: components.live, cache: components.forwardAuthCache,
                                     allowHeaders: { answers.allowHeaders(token: $0, subject: $1) },
                                     minted: minted, now: UnixTime.now)
        let credential = settings.credentialHeader.flatMap { HTTPField.Name($0) }
        forwardAuthHeaders = .init(method: Self.forwardedMethod, host: Self.forwardedHost, uri: Self.forwardedURI, credential: credential)
        authRequestHeaders = .init(method: Self.originalMethod, host: nil, uri: Self.originalURL, credential: credential)
        extAuthzHeaders = .init(method: nil, host: nil, uri: nil, credential: credential)
    }

    /// The two conventions whose requests `InlineAnswerHandler` may answer below the router
    /// (`GET` with no body, as Traefik, Caddy and nginx send them); Envoy's keeps to the router.
    enum Convention: Sendable {
        case forwardAuth
        case authRequest

        /// The path, which is also the route's name in the request metrics.
        var path: String {
            switch self {
            case .forwardAuth: "/authz/forward-auth"
            case .authRequest: "/authz/auth-request"
            }
        }
    }

    /// An answer made now (the first look decided: a cached JWT, a missing credential), or
    /// what must be awaited for it (a store read, an exchange).
    enum Answer: Sendable {
        case now(JSONResponse.Parts)
        case later(@Sendable () async -> JSONResponse.Parts)

        /// The answer, awaited if it is not made yet.
        func parts() async -> JSONResponse.Parts {
            switch self {
            case .now(let parts): parts
            case .later(let rest): await rest()
            }
        }
    }

    func register(on router: Router<PatgateRequestContext>) {
        for method in Self.methods {
            for convention in [Convention.forwardAuth, .authRequest] {
                router.on(RouterPath(convention.path), method: method) { [self] request, context in
                    let headers = ForwardAuthHeaders(request.headers, names(convention))
                    return await Response(answer(convention, method: request.method.rawValue, headers: headers,
                                                 address: context.clientAddress).parts())
                }
            }
            let extAuthz: @Sendable (Request, PatgateRequestContext) async -> Response = { [self] request, context in
                let uri = request.uri.string
                let suffix = uri.hasPrefix(Self.extAuthzPrefix) ? String(uri.dropFirst(Self.extAuthzPrefix.count)) : ""
                let original = OriginalRequest(method: request.method.rawValue, host: request.head.authority,
                                               path: suffix.hasPrefix("/") ? suffix : "/" + suffix)
                let headers = ForwardAuthHeaders(request.headers, extAuthzHeaders)
                return await Response(answer(headers, original, address: context.clientAddress).parts())
            }
            router.on("authz/ext-authz", method: method, use: extAuthz)
            router.on("authz/ext-authz/**", method: method, use: extAuthz)
        }
    }

    /// The headers `convention` reads.
    func names(_ convention: Convention) -> ForwardAuthHeaders.Names {
        switch convention {
        case .forwardAuth: forwardAuthHeaders
        case .authRequest: authRequestHeaders
        }
    }

    /// A request of `convention`, sent with `method`: the original request its headers name.
    func answer(_ convention: Convention, method: String, headers: ForwardAuthHeaders, address: String?) -> Answer {
        let original: OriginalRequest?
        switch convention {
        case .forwardAuth:
            original = headers.uri.flatMap { OriginalRequest(method: headers.method ?? method, host: headers.host, path: $0) }
        case .authRequest:
            original = headers.uri.flatMap { OriginalRequest(method: headers.method ?? method, url: $0) }
        }
        return answer(headers, original, address: address)
    }

    private func answer(_ headers: ForwardAuthHeaders, _ original: OriginalRequest?, address: String?) -> Answer {
        let credential = GatewayCredential.find(authorization: headers.authorization, header: headers.credential)
        let route = original.flatMap(service.settings.route(for:))
        switch service.look(route, credential: credential) {
        case .decided(let decision):
            return .now(render(decision, credential: credential, route: route, address: address))
        case let pending:
            return .later { [self] in
                let decision = await service.finish(pending)
                // Held below the router, the request is cancelled when its client leaves, and
                // with it the upstream call or store read: not a failure to audit or count. (The
                // router lets a handler finish; its answer is then dropped as this one is.)
                if Task.isCancelled, case .unavailable = decision.outcome { return Self.abandoned }
                return render(decision, credential: credential, route: route, address: address)
            }
        }
    }

    /// What a request abandoned by its client gets; never written (its connection is closed).
    private static let abandoned = JSONResponse.noStoreParts(status: 503, [])

    private func render(_ decision: ForwardAuthService.Decision, credential: GatewayCredential.Found,
                        route: AuthzRoute?, address: String?) -> JSONResponse.Parts {
        Meters.forwardAuthDecision(Self.metricResult(decision.outcome))
        return answers.render(decision.outcome, prepared: decision.headers, credential: credential, route: route, address: address)
    }

    /// `patgate_forward_auth_decisions_total{result}`: `allow`, `deny`, or `error` (fail closed).
    static func metricResult(_ outcome: ForwardAuthOutcome) -> ForwardAuthDecision {
        switch outcome {
        case .allowed: .allow
        case .unavailable: .error
        case .missingCredential, .invalidToken, .insufficientScope, .noRoute: .deny
        }
    }
}
