/// A registered OAuth client of the gateway or of the issuer's introspection endpoint.
public struct OAuthClient: Sendable {
    /// What a client may do.
    public enum Grant: String, Sendable, CaseIterable {
        /// `POST /token` with the token-exchange grant.
        case tokenExchange = "token_exchange"
        /// `POST /introspect` on the built-in issuer.
        case introspection
    }

    /// How a client proves who it is.
    public enum Authentication: Sendable {
        /// A public client: `client_id` only (RFC 6749 §2.1).
        case none
        /// A confidential client: `client_secret_basic` or `client_secret_post`.
        case secret(SecretDigest)
    }

    public var id: String
    public var authentication: Authentication
    public var grants: Set<Grant>
    /// Scopes this client may obtain; `nil` means any scope the PAT carries.
    public var allowedScopes: Set<String>?
    /// Audiences and resource indicators this client may request.
    public var allowedAudiences: Set<String>
    /// The audience used when the request names none; `nil` falls back to the global default.
    public var defaultAudiences: [String]?
    /// The longest token this client may obtain, in seconds; `nil` means the global maximum.
    public var maxTokenLifetime: Int64?

    public init(
        id: String,
        authentication: Authentication,
        grants: Set<Grant> = [.tokenExchange],
        allowedScopes: Set<String>? = nil,
        allowedAudiences: Set<String> = [],
        defaultAudiences: [String]? = nil,
        maxTokenLifetime: Int64? = nil
    ) {
        self.id = id
        self.authentication = authentication
        self.grants = grants
        self.allowedScopes = allowedScopes
        self.allowedAudiences = allowedAudiences
        self.defaultAudiences = defaultAudiences
        self.maxTokenLifetime = maxTokenLifetime
    }

    public var isPublic: Bool {
        if case .none = authentication { return true }
        return false
    }
}
