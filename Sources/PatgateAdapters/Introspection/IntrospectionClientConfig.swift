import Curl
import Foundation

/// Where and how the gateway asks an upstream about a subject token (RFC 7662 §2.1).
public struct IntrospectionClientConfig: Sendable {
    /// How the gateway authenticates to the introspection endpoint.
    public enum Authentication: Sendable {
        /// `client_secret_basic` (RFC 6749 §2.3.1).
        case basic(clientID: String, secret: String)
        /// `Authorization: Bearer …`, as Keycloak and others also accept.
        case bearer(String)
        case none
    }

    public var url: String
    /// The issuer's revocation feed (`GET /revocations`), for a gateway-only deployment whose
    /// upstream is a patgate issuer; `nil`: none (a third-party upstream), the cache TTL bounds
    /// revocation.
    public var revocationFeedURL: String?
    public var authentication: Authentication
    /// Sent as `token_type_hint`; `nil` sends none.
    public var tokenTypeHint: String?
    public var http: HTTPClientOptions

    public init(url: String, authentication: Authentication, tokenTypeHint: String? = "access_token",
                http: HTTPClientOptions = HTTPClientOptions()) {
        self.url = url
        self.authentication = authentication
        self.tokenTypeHint = tokenTypeHint
        self.http = http
    }
}

extension IntrospectionClientConfig.Authentication {
    /// The `Authorization` header value; `nil` for `.none`.
    public var headerValue: String? {
        switch self {
        case .basic(let id, let secret):
            let pair = FormEncoding.encode(id) + ":" + FormEncoding.encode(secret)
            return "Basic " + Data(pair.utf8).base64EncodedString()
        case .bearer(let token):
            return "Bearer " + token
        case .none:
            return nil
        }
    }
}
