/// What an upstream said about an active subject token (RFC 7662 §2.2), reduced to what
/// the exchange needs. It never holds the token itself.
public struct SubjectIdentity: Sendable, Equatable {
    /// `sub`, or `username` when the upstream sends no `sub`.
    public var subject: String
    public var username: String?
    public var scopes: [String]
    /// Seconds since the epoch; `nil` for a token that does not expire.
    public var expiresAt: Int64?
    /// The subject token's own id (`jti` of the RFC 7662 answer; a patgate issuer sends the
    /// PAT's id): what a revocation names, and the minted token's `pat_id`. Never secret.
    public var tokenID: String?
    /// Other members of the introspection response, candidates for the claim copy.
    public var claims: [String: JSONValue]

    public init(subject: String, username: String? = nil, scopes: [String], expiresAt: Int64? = nil,
                tokenID: String? = nil, claims: [String: JSONValue] = [:]) {
        self.subject = subject
        self.tokenID = tokenID
        self.username = username
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.claims = claims
    }
}

/// The answer of a subject-token validation.
public enum ValidationResult: Sendable, Equatable {
    case active(SubjectIdentity)
    /// Unknown, expired, revoked or malformed: the upstream said `active: false`.
    case inactive
}

/// Validates subject tokens (a port: the RFC 7662 client and its cache implement it).
///
/// Throwing means "could not find out" (upstream down, slow or confused): the exchange
/// fails closed with 503. Implementations log the cause; the error never reaches the client.
public protocol SubjectTokenValidator: Sendable {
    func validate(_ token: String) async throws -> ValidationResult
    /// The answer `validate` would give at once, from what the validator remembers; `nil`
    /// when only `validate` can tell. An answer counts as a cache hit; `nil` counts nothing,
    /// so that the `validate` that follows is counted once.
    func rememberedResult(_ token: String) -> ValidationResult?
}

extension SubjectTokenValidator {
    /// A validator that remembers nothing always needs `validate`.
    public func rememberedResult(_ token: String) -> ValidationResult? { nil }
}
