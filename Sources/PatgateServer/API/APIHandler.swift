import Hummingbird
import Logging
import PatgateCore

/// Runs an API handler and turns every error into a problem response: known errors into
/// their 4xx, anything else (a store that does not answer) into a logged 503. Never a 500.
enum APIHandler {
    static func run(_ context: PatgateRequestContext, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            if let problem = Problem.from(error) { return problem.response }
            context.logger.error("management API failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return Problem.unavailable.response
        }
    }

    /// A JSON response that must not be cached.
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func noContent(headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.cacheControl] = "no-store"
        return Response(status: .noContent, headers: fields)
    }
}
