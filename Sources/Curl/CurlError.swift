/// Why an ``HTTPClient`` call failed.
///
/// The ``message`` (and so the ``description``) names the method and the URL without
/// its userinfo, query and fragment, and never contains a request body, a header value
/// or any other credential: it is safe to log.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The failure classes callers act on.
    public enum Kind: Sendable {
        /// The host name did not resolve or the TCP connect was refused or unreachable.
        case couldNotConnect
        /// The connect timeout or the total timeout ran out.
        case timedOut
        /// The TLS handshake failed or the peer's certificate did not verify.
        case tls
        /// The response body exceeded ``HTTPClientOptions/maxResponseBytes``.
        case responseTooLarge
        /// The request (or the client options) could not be sent as given: bad method,
        /// header, URL or scheme.
        case invalidRequest
        /// The client was shut down before or while the request ran.
        case shutdown
        /// Anything else, including a cancelled task (message "request cancelled").
        case other
    }

    /// The ``code`` of an error patgate raised itself rather than libcurl.
    public static let notFromLibcurl: Int32 = -1

    /// The failure class.
    public let kind: Kind
    /// libcurl's `CURLcode`, or ``notFromLibcurl``.
    public let code: Int32
    /// What went wrong, safe to log (see the type's documentation).
    public let message: String

    /// Creates an error; the message must already be free of secrets.
    public init(kind: Kind, code: Int32 = CurlError.notFromLibcurl, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String {
        "CurlError(\(kind), code \(code)): \(message)"
    }
}

extension CurlError {
    static let shutdown = CurlError(kind: .shutdown, message: "HTTP client is shut down")

    static func cancelled(code: Int32 = CurlError.notFromLibcurl) -> CurlError {
        CurlError(kind: .other, code: code, message: "request cancelled")
    }

    /// The same error, its message ending with the request's method and redacted URL.
    func about(_ request: HTTPRequest) -> CurlError {
        CurlError(kind: kind, code: code, message: "\(message) (\(Redaction.target(of: request)))")
    }
}
