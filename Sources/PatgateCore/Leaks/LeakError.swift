import JSON

/// Why a leak report was refused, rendered as `{"error":"…","error_description":"…"}` (the
/// partners define no error body; this is the shape of patgate's other JSON errors). The text
/// never quotes the body, a token or a signature.
public struct LeakError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// 401: a missing or bad signature, or a key identifier that is not configured.
        case invalidSignature = "invalid_signature"
        /// 400: not a JSON array of reports, or more of them than allowed.
        case invalidRequest = "invalid_request"
        /// 413: a body larger than the bound.
        case requestTooLarge = "request_too_large"
        /// 503: the PAT store did not answer; the partner retries.
        case temporarilyUnavailable = "temporarily_unavailable"
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    public var status: Int {
        switch code {
        case .invalidSignature: 401
        case .invalidRequest: 400
        case .requestTooLarge: 413
        case .temporarilyUnavailable: 503
        }
    }

    public var jsonBody: [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("error", code.rawValue)
        json.field("error_description", description)
        json.endObject()
        return json.bytes
    }
}
