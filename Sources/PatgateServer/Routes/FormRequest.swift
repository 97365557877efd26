import Foundation
import Hummingbird
import PatgateCore

/// Reads the form body of an OAuth endpoint: the right content type, within the size limit.
enum FormRequest {
    static func read(_ request: Request, maxBytes: Int) async throws(OAuthError) -> FormBody {
        guard let contentType = request.headers[.contentType], isFormURLEncoded(contentType) else {
            throw OAuthError(.invalidRequest, "the body must be application/x-www-form-urlencoded", status: 415)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw OAuthError(.invalidRequest, "the request body is larger than \(maxBytes) bytes", status: 413)
        }
        return try parse(buffer)
    }

    /// The form in a whole body (also `InlineAnswerHandler`'s).
    static func parse(_ body: ByteBuffer) throws(OAuthError) -> FormBody {
        try body.withUnsafeReadableBytes { bytes in
            Result { () throws(OAuthError) in try FormBody(parsing: bytes) }
        }.get()
    }

    /// `application/x-www-form-urlencoded`, optionally with `; charset=utf-8`.
    static func isFormURLEncoded(_ value: String) -> Bool {
        // What nearly every client sends, compared without Foundation (it runs on every exchange).
        if value == "application/x-www-form-urlencoded" { return true }
        let parts = value.split(separator: ";")
        guard let type = parts.first?.trimmingCharacters(in: .whitespaces).lowercased(),
              type == "application/x-www-form-urlencoded" else { return false }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if pair.first == "charset", pair.count == 2, pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) != "utf-8" {
                return false
            }
        }
        return true
    }
}
