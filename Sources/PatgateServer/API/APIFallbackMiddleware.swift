import HTTPTypes
import Hummingbird
import Logging

/// Under `/api/v1`, turns the router's own error (no such path) and any
/// error that escaped a handler into problem responses: the API never answers an empty
/// 404 or a 500. A wrong method is `MethodNotAllowedMiddleware`'s (405 with `Allow`).
struct APIFallbackMiddleware: RouterMiddleware {
    typealias Context = PatgateRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return Problem.notFound("no such endpoint: \(request.method) \(request.uri.path)").response
        } catch {
            context.logger.error("management API failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return Problem.unavailable.response
        }
    }
}
