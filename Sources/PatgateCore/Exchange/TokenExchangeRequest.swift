/// A validated RFC 8693 §2.1 token-exchange request, read from the form body.
public struct TokenExchangeRequest: Sendable, Equatable {
    public var subjectToken: String
    public var subjectTokenType: String
    public var requestedTokenType: String
    /// `nil` when the request has no `scope` parameter.
    public var scopes: [String]?
    public var audiences: [String]
    public var resources: [String]

    public init(
        subjectToken: String, subjectTokenType: String = TokenTypeURI.pat,
        requestedTokenType: String = TokenTypeURI.accessToken, scopes: [String]? = nil,
        audiences: [String] = [], resources: [String] = []
    ) {
        self.subjectToken = subjectToken
        self.subjectTokenType = subjectTokenType
        self.requestedTokenType = requestedTokenType
        self.scopes = scopes
        self.audiences = audiences
        self.resources = resources
    }

    /// Reads and checks the parameters; only `audience` and `resource` may repeat.
    public init(form: FormBody) throws(OAuthError) {
        guard let grantType = try form.single("grant_type") else {
            throw .invalidRequest("grant_type is required")
        }
        guard grantType == TokenTypeURI.tokenExchangeGrant else {
            throw OAuthError(.unsupportedGrantType, "only the token-exchange grant is supported")
        }
        guard let subjectToken = try form.single("subject_token") else {
            throw .invalidRequest("subject_token is required")
        }
        guard let subjectTokenType = try form.single("subject_token_type") else {
            throw .invalidRequest("subject_token_type is required")
        }
        guard TokenTypeURI.subjectTypes.contains(subjectTokenType) else {
            throw .invalidRequest("unsupported subject_token_type")
        }
        let requested = try form.single("requested_token_type") ?? TokenTypeURI.accessToken
        guard TokenTypeURI.requestedTypes.contains(requested) else {
            throw .invalidRequest("unsupported requested_token_type")
        }
        let actorToken = try form.single("actor_token")
        let actorTokenType = try form.single("actor_token_type")
        if actorToken != nil || actorTokenType != nil {
            throw .invalidRequest("delegation (actor_token) is not supported")
        }
        self.subjectToken = subjectToken
        self.subjectTokenType = subjectTokenType
        self.requestedTokenType = requested
        if let scope = try form.single("scope") {
            self.scopes = try ScopeList.parse(scope)
        } else {
            self.scopes = nil
        }
        self.audiences = form.values("audience").filter { !$0.isEmpty }
        self.resources = form.values("resource").filter { !$0.isEmpty }
    }
}
