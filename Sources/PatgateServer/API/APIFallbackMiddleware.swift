import HTTPTypes
import Hummingbird
import Logging

/// Under `/api/v1`, turns the router's own errors (no such path, method not allowed) and any
/// error that escaped a handler into problem responses: the API never answers an empty
/// 404/405 or a 500.
struct APIFallbackMiddleware: RouterMiddleware {
    typealias Context = PatgateRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return Problem.notFound("no such endpoint: \(request.method) \(request.uri.path)").response
        } catch let error as HTTPError where error.status == .methodNotAllowed {
            return Problem(405, "method_not_allowed", "Method not allowed", "\(request.method) is not allowed on \(request.uri.path)").response
        } catch {
            context.logger.error("management API failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return Problem.unavailable.response
        }
    }
}
