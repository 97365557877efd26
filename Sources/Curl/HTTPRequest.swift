/// One HTTP request for ``HTTPClient/perform(_:)``.
///
/// The body is sent as is, with an explicit `Content-Length`. When a body is sent and no
/// `Content-Type` header is given, libcurl adds `application/x-www-form-urlencoded`
/// (what RFC 7662 introspection wants). `Expect: 100-continue` is never sent.
public struct HTTPRequest: Sendable {
    /// The method, an RFC 9110 token such as `GET`, `POST`, `PUT` or `DELETE`.
    public var method: String
    /// An absolute `http://` or `https://` URL. Any other scheme fails with
    /// ``CurlError/Kind-swift.enum/invalidRequest``.
    public var url: String
    /// Request header fields in order. Names must be tokens; values must not contain
    /// CR, LF or NUL. An empty value sends the header with an empty value.
    /// `Content-Length` and `Transfer-Encoding` are refused: the client frames the body.
    public var headers: [(name: String, value: String)]
    /// The request body; empty means none (for `POST`, `Content-Length: 0`).
    public var body: [UInt8]

    /// Creates a request; `POST` by default, as most calls this gateway makes are.
    public init(
        method: String = "POST",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

extension HTTPRequest {
    /// Rejects what libcurl would misread: a NUL would truncate a C string, CR/LF would
    /// inject header lines, a non-token method would corrupt the request line.
    func validate() throws(CurlError) {
        guard !method.isEmpty, method.utf8.allSatisfy(HTTPRequest.isTokenByte) else {
            throw CurlError(kind: .invalidRequest, message: "invalid HTTP method")
        }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw CurlError(kind: .invalidRequest, message: "invalid URL")
        }
        guard HTTPRequest.hasHTTPScheme(url) else {
            throw CurlError(kind: .invalidRequest, message: "URL scheme is not http or https")
        }
        if method == "HEAD" && !body.isEmpty {
            throw CurlError(kind: .invalidRequest, message: "a HEAD request has no body")
        }
        for (index, header) in headers.enumerated() {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(HTTPRequest.isTokenByte) else {
                throw CurlError(kind: .invalidRequest, message: "invalid name in header field #\(index)")
            }
            guard !header.value.utf8.contains(where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D }) else {
                // Never echo the value: it may be a credential.
                throw CurlError(kind: .invalidRequest, message: "invalid value in header field \(header.name)")
            }
            // The body's framing is ours to set; a caller's would let a request be smuggled.
            guard !HTTPRequest.framingHeaders.contains(where: { HTTPResponse.asciiCaseInsensitiveEqual($0, header.name) }) else {
                throw CurlError(kind: .invalidRequest, message: "header field \(header.name) is set by the client")
            }
        }
    }

    /// Whether `url` starts with `http://` or `https://` (any case). libcurl would guess
    /// a scheme for a bare host; we refuse instead (CURLOPT_PROTOCOLS_STR backs this up).
    static func hasHTTPScheme(_ url: String) -> Bool {
        let prefix = url.utf8.prefix(8).map { $0 | 0x20 }
        return prefix.starts(with: "http://".utf8) || prefix.starts(with: "https://".utf8)
    }

    static let framingHeaders = ["Content-Length", "Transfer-Encoding"]

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension HTTPRequest {
    /// `url` without userinfo, query or fragment: safe for logs and error messages.
    public static func redacted(_ url: String) -> String {
        Redaction.url(url)
    }
}
