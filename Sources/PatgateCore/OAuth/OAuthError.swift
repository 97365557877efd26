import JSON
/// An OAuth 2.0 error response (RFC 6749 §5.2, RFC 8693 §2.2.2).
///
/// `description` is written for the client and must never contain a secret:
/// callers build it from fixed text and non-secret parameter names only.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidRequest = "invalid_request"
        case invalidClient = "invalid_client"
        case invalidGrant = "invalid_grant"
        case unauthorizedClient = "unauthorized_client"
        case unsupportedGrantType = "unsupported_grant_type"
        case invalidScope = "invalid_scope"
        case invalidTarget = "invalid_target"
        case temporarilyUnavailable = "temporarily_unavailable"
    }

    public let code: Code
    public let description: String
    /// The HTTP status: RFC 6749 §5.2's for the code unless the caller names another (413, 415, 405).
    public let status: Int

    public init(_ code: Code, _ description: String, status: Int? = nil) {
        self.code = code
        self.description = description
        self.status = status ?? Self.defaultStatus(code)
    }

    private static func defaultStatus(_ code: Code) -> Int {
        switch code {
        case .invalidClient: 401
        case .temporarilyUnavailable: 503
        default: 400
        }
    }

    /// `{"error":"…","error_description":"…"}`
    public var jsonBody: [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("error", code.rawValue)
        json.field("error_description", description)
        json.endObject()
        return json.bytes
    }
}

extension OAuthError {
    public static func invalidRequest(_ text: String) -> OAuthError { OAuthError(.invalidRequest, text) }
    public static let upstreamUnavailable = OAuthError(
        .temporarilyUnavailable, "the token validation service is unavailable; try again later")
}
