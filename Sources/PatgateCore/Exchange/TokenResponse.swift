import JSON
/// The successful token-exchange response of RFC 8693 §2.2.1.
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var issuedTokenType: String
    public var expiresIn: Int64
    public var scopes: [String]
    /// Issued with the `credentials` scope, flattened into the response object.
    public var credentials: [CredentialField]

    public init(accessToken: String, issuedTokenType: String, expiresIn: Int64, scopes: [String],
                credentials: [CredentialField] = []) {
        self.accessToken = accessToken
        self.issuedTokenType = issuedTokenType
        self.expiresIn = expiresIn
        self.scopes = scopes
        self.credentials = credentials
    }

    public var jsonBody: [UInt8] {
        var json = JSONWriter(capacity: accessToken.utf8.count + 160)
        json.beginObject()
        json.field("access_token", accessToken)
        json.field("issued_token_type", issuedTokenType)
        json.field("token_type", "Bearer")
        json.field("expires_in", expiresIn)
        json.field("scope", ScopeList.join(scopes))
        for field in credentials { field.write(to: &json) }
        json.endObject()
        return json.bytes
    }
}
