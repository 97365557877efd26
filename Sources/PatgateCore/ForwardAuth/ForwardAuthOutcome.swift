/// What forward auth decided about one original request (README "Forward auth", "Answers").
public enum ForwardAuthOutcome: Sendable, Equatable {
    /// 200: the gateway passes `token` on as `Authorization: Bearer`.
    case allowed(ForwardAuthGrant)
    /// 401 without an error code (RFC 6750 §3.1): the request carried no credential.
    case missingCredential
    /// 401 `invalid_token`: malformed, unknown, revoked or expired, or a JWT for another audience.
    case invalidToken(String)
    /// 403 `insufficient_scope`: a live credential of `subject` (from the PAT `patID`) without the route's scopes.
    case insufficientScope(String, subject: String, patID: String?)
    /// 403: no route covers the request (deny by default).
    case noRoute
    /// 503: the upstream or the store could not tell; never an allow (fail closed).
    case unavailable(String)
}

/// An allowed request's JWT and who it names. `token` is a credential: never log it.
public struct ForwardAuthGrant: Sendable, Equatable {
    public var token: String
    public var subject: String
    /// The PAT the token came from (its id, never its value).
    public var patID: String?
    /// The route that matched.
    public var route: String
    /// `true`: handed out from the cache, nothing signed.
    public var cached: Bool

    public init(token: String, subject: String, patID: String?, route: String, cached: Bool) {
        self.token = token
        self.subject = subject
        self.patID = patID
        self.route = route
        self.cached = cached
    }
}
