/// What a provider knows about one exchange. It never holds the PAT.
public struct CredentialRequest: Sendable {
    /// The user the PAT belongs to, as the upstream described them.
    public var subject: SubjectIdentity
    public var clientID: String
    /// The minted JWT's `aud` and `scope`: credentials obtained with it may only be reused for
    /// a token that says the same.
    public var audiences: [String]
    public var scopes: [String]
    /// The JWT minted by this exchange (the STS `WebIdentityToken`).
    public var accessToken: String
    public var issuedAt: Int64
    /// When the minted JWT expires: `issuedAt + lifetime`, never after the PAT.
    public var tokenExpiresAt: Int64
    /// The hard limit for anything issued: the PAT's expiry, `nil` for a PAT that does not expire.
    /// A provider whose minimum lifetime would pass this limit refuses.
    public var notAfter: Int64?
    /// The exchange's form without the secrets (`subject_token`, `actor_token`, `client_secret`),
    /// for provider parameters such as `csr`.
    public var form: FormBody
    /// The client's address, for the audit log.
    public var address: String?

    public init(subject: SubjectIdentity, clientID: String, audiences: [String] = [], scopes: [String] = [],
                accessToken: String, issuedAt: Int64, tokenExpiresAt: Int64, notAfter: Int64?, form: FormBody,
                address: String? = nil) {
        self.subject = subject
        self.clientID = clientID
        self.audiences = audiences
        self.scopes = scopes
        self.accessToken = accessToken
        self.issuedAt = issuedAt
        self.tokenExpiresAt = tokenExpiresAt
        self.notAfter = notAfter
        self.form = form.removing(Self.secretParameters)
        self.address = address
    }

    /// Parameters of the exchange that providers never see.
    static let secretParameters: Set<String> = ["subject_token", "actor_token", "client_secret"]

    /// The token lifetime in seconds.
    public var lifetime: Int64 { tokenExpiresAt - issuedAt }

    /// `expiresAt` capped by the PAT's expiry.
    public func capped(_ expiresAt: Int64) -> Int64 {
        guard let notAfter else { return expiresAt }
        return min(expiresAt, notAfter)
    }
}
