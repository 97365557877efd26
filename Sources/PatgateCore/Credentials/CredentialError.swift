/// Why a provider could not issue. `message` is safe to show the client: it never holds a
/// secret, a connection string or an upstream's raw answer.
public struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The client sent a bad parameter (a malformed CSR): 400 `invalid_request`.
        case invalidRequest
        /// The request cannot be served under the policy (the PAT expires before the provider's
        /// minimum lifetime): 400 `invalid_request`.
        case notPermitted
        /// The peer (STS, database) is unreachable, slow or refused: 503 `temporarily_unavailable`.
        case unavailable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The exchange's client left while the credential was being made (its request was
    /// cancelled): no answer will be written; the audit trail says why the credential failed.
    public static let abandoned = CredentialError(.unavailable, "the request was abandoned by its client")

    /// The OAuth error the token endpoint returns.
    public var oauthError: OAuthError {
        switch kind {
        case .invalidRequest, .notPermitted: return .invalidRequest(message)
        case .unavailable: return OAuthError(.temporarilyUnavailable, message)
        }
    }
}
