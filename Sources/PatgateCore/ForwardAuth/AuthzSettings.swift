/// `authz.*` (README "Forward auth"): the exchange client forward-auth answers are recorded
/// under, the routes in the order of `authz.routes.ids` (the first that matches decides), and
/// how the answers and their cache behave.
public struct AuthzSettings: Sendable, Equatable {
    /// `authz.client`: a configured client with the token-exchange grant; its allowed scopes,
    /// audiences and lifetime bound every JWT, as at `/token`.
    public var clientID: String
    public var routes: [AuthzRoute]
    /// `authz.credential_header`: a header whose value is a PAT (`X-API-Key`); `nil`: none.
    public var credentialHeader: String?
    /// `authz.realm`: the realm of the `WWW-Authenticate` challenges.
    public var realm: String
    /// `authz.subject_header`: also answer `X-Patgate-Subject` on an allow.
    public var sendsSubject: Bool
    /// `authz.cache.margin_seconds`: a cached JWT is handed out while more than this remains of its life.
    public var cacheMargin: Int64
    /// `authz.cache.max_entries`: JWTs kept at most (0: no cache).
    public var cacheMaxEntries: Int

    public init(clientID: String, routes: [AuthzRoute], credentialHeader: String? = nil, realm: String = "patgate",
                sendsSubject: Bool = true, cacheMargin: Int64 = 60, cacheMaxEntries: Int = 100_000) {
        self.clientID = clientID
        self.routes = routes
        self.credentialHeader = credentialHeader
        self.realm = realm
        self.sendsSubject = sendsSubject
        self.cacheMargin = cacheMargin
        self.cacheMaxEntries = cacheMaxEntries
    }

    /// The first route that covers `request`; `nil`: deny (403).
    public func route(for request: OriginalRequest) -> AuthzRoute? {
        routes.first { $0.matches(request) }
    }
}
