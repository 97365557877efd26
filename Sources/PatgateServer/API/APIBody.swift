import Foundation
import Hummingbird
import PatgateCore

/// A management API request body: its members are exactly `Member`'s cases, so a member the
/// body does not have (a typo such as `expires_in_seconds`) is refused, not ignored.
protocol APIRequestBody: Decodable {
    associatedtype Member: CodingKey & CaseIterable
}

/// Reads a JSON request body of the management API: `application/json`, within
/// `server.max_body_bytes`, without a duplicate, unknown or `null` member (`StrictJSONBody`),
/// decoded into `T` with errors that name the field.
enum APIBody {
    static func decode<T: APIRequestBody>(_ type: T.Type, from request: Request, maxBytes: Int) async throws(Problem) -> T {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/json" else {
            throw Problem(415, "unsupported_media_type", "Unsupported media type", "send the body as application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw Problem(413, "body_too_large", "Body too large", "the request body is larger than \(maxBytes) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        try StrictJSONBody.check(bytes, members: T.Member.allCases.map(\.stringValue))
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .badRequest("\(path(context)): has the wrong type")
        } catch let DecodingError.keyNotFound(key, context) {
            throw .badRequest("\(path(context, key)): is required")
        } catch {
            throw .badRequest("the body is not a valid JSON object")
        }
    }

    private static func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
        let keys = context.codingPath + (key.map { [$0] } ?? [])
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return text.isEmpty ? "the body" : text
    }
}

/// Query parameters shared by the token lists.
struct PageParameters {
    let state: PersonalAccessToken.State?
    let limit: Int
    let cursor: String?

    init(_ request: Request) throws(Problem) {
        let query = request.uri.queryParameters
        if let raw = query.get("state"), !raw.isEmpty {
            guard let state = PersonalAccessToken.State(rawValue: raw) else {
                throw .badRequest("state must be active, expired or revoked")
            }
            self.state = state
        } else {
            state = nil
        }
        if let raw = query.get("limit") {
            guard let limit = Int(raw), (1...200).contains(limit) else { throw .badRequest("limit must be a number from 1 to 200") }
            self.limit = limit
        } else {
            limit = 50
        }
        cursor = query.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
    }
}
