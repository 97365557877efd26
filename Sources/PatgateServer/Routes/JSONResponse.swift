import HTTPTypes
import Hummingbird
import PatgateCore

/// JSON responses the way OAuth endpoints must send them.
enum JSONResponse {
    static let pragma = HTTPField.Name("Pragma")!

    /// A response that must not be cached (RFC 6749 §5.1): tokens, errors, introspection
    /// (also in its RFC 9701 JWT form, `contentType` `application/token-introspection+jwt`).
    static func noStore(status: Int = 200, _ body: [UInt8], headers extra: HTTPFields = [:],
                        contentType: String = "application/json") -> Response {
        Response(noStoreParts(status: status, body, headers: extra, contentType: contentType))
    }

    /// `noStore`'s head and body, for an answer written below the router (`InlineAnswerHandler`).
    static func noStoreParts(status: Int = 200, _ body: [UInt8], headers extra: HTTPFields = [:],
                             contentType: String = "application/json") -> Parts {
        var headers = extra
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        headers[pragma] = "no-cache"
        return Parts(head: HTTPResponse(status: HTTPResponse.Status(code: status), headerFields: headers),
                     body: ByteBuffer(bytes: body))
    }

    /// An answer's head (without `Content-Length`) and whole body.
    struct Parts {
        var head: HTTPResponse
        var body: ByteBuffer
    }

    /// A public document (discovery, JWKS) that clients may cache briefly.
    static func cacheable(_ body: [UInt8], contentType: String = "application/json", maxAge: Int = 300) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "public, max-age=\(maxAge)"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// An RFC 6749 §5.2 error; `invalid_client` carries `WWW-Authenticate` (§5.2 requires it
    /// when the client tried the Authorization header, and it does no harm otherwise).
    static func error(_ error: OAuthError) -> Response {
        Response(errorParts(error))
    }

    static func errorParts(_ error: OAuthError) -> Parts {
        var headers = HTTPFields()
        if error.code == .invalidClient {
            headers[.wwwAuthenticate] = #"Basic realm="patgate", charset="UTF-8""#
        }
        return noStoreParts(status: error.status, error.jsonBody, headers: headers)
    }
}

extension Response {
    /// The answer of these parts; `Content-Length` is added from the body.
    init(_ parts: JSONResponse.Parts) {
        let body = parts.body.readableBytes == 0 ? ResponseBody() : ResponseBody(byteBuffer: parts.body)
        self.init(status: parts.head.status, headers: parts.head.headerFields, body: body)
    }
}
