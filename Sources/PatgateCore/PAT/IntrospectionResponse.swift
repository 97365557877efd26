import JSON
/// The RFC 7662 §2.2 response the issuer gives for a PAT.
public enum IntrospectionResponse {
    /// Exactly `{"active":false}`, for anything that is not a live PAT.
    public static let inactive: [UInt8] = Array(#"{"active":false}"#.utf8)

    public static func active(_ token: PersonalAccessToken, clientID: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("active", true)
        json.field("sub", token.owner)
        json.field("username", token.owner)
        json.field("scope", ScopeList.join(token.scopes))
        if let expiresAt = token.expiresAt { json.field("exp", expiresAt) }
        json.field("iat", token.createdAt)
        json.field("token_type", "Bearer")
        json.field("client_id", clientID)
        json.field("jti", token.id)
        json.field("pat_name", token.name)
        json.endObject()
        return json.bytes
    }
}
