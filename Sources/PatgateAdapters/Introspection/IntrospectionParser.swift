import PatgateCore

/// Reads an RFC 7662 §2.2 response the way real upstreams write it.
///
/// - one JSON object (`JSONValueParser`: strict, duplicate member names rejected).
/// - `active` must be a JSON boolean; anything else is a confused upstream (fail closed).
/// - `sub` missing → `username` is the subject; neither → malformed.
/// - `scope` is a space-separated string (an array of strings is tolerated).
/// - no `exp` → the token does not expire; an `exp` in the past → inactive.
/// - a `pat_id` member → inactive: a patgate issuer names so the PAT a JWT was minted from,
///   and a minted JWT is not a subject token (no chains: a JWT handed to a resource server
///   buys no new token and no credentials; its PAT's revocation would not name it either).
public enum IntrospectionParser {
    public static func parse(_ body: [UInt8], now: Int64) throws -> ValidationResult {
        // The members the answer is read from are taken out; what remains are the claims.
        guard case .object(var claims)? = JSONValueParser.parse(body) else {
            throw IntrospectionError.malformed("the response is not a JSON object")
        }
        guard case .bool(let active)? = claims.removeValue(forKey: "active") else {
            throw IntrospectionError.malformed("the response has no boolean 'active'")
        }
        guard active, claims["pat_id"] == nil else { return .inactive }

        let username = claims["username"]?.stringValue
        guard let subject = claims.removeValue(forKey: "sub")?.stringValue ?? username, !subject.isEmpty else {
            throw IntrospectionError.malformed("an active token has neither 'sub' nor 'username'")
        }
        let scopes: [String]
        switch claims.removeValue(forKey: "scope") {
        case .string(let value)?: scopes = ScopeList.lenientSplit(value)
        case .array(let values)?: scopes = values.compactMap(\.stringValue)
        case nil, .null?: scopes = []
        default: throw IntrospectionError.malformed("'scope' is neither a string nor an array")
        }
        var expiresAt: Int64?
        if let exp = claims.removeValue(forKey: "exp"), exp != .null {
            guard let value = exp.integerValue else { throw IntrospectionError.malformed("'exp' is not a number") }
            guard value > now else { return .inactive }
            expiresAt = value
        }
        return .active(SubjectIdentity(subject: subject, username: username, scopes: scopes, expiresAt: expiresAt,
                                       tokenID: claims["jti"]?.stringValue, claims: claims))
    }
}
