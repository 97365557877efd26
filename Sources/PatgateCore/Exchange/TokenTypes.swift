/// Token type identifiers of RFC 8693 §3 and the grant type of §2.1.
public enum TokenTypeURI {
    public static let tokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
    public static let accessToken = "urn:ietf:params:oauth:token-type:access_token"
    public static let jwt = "urn:ietf:params:oauth:token-type:jwt"
    /// The personal-access-token type this gateway also accepts as a subject token.
    public static let pat = "urn:ietf:params:oauth:token-type:pat"

    public static let subjectTypes: Set<String> = [accessToken, pat]
    public static let requestedTypes: Set<String> = [accessToken, jwt]
}
