import HTTPTypes
import Hummingbird
import PatgateCore

/// Hummingbird answers a known path asked with a method it lacks as 404. This middleware turns
/// that into 405 with an `Allow` header listing the path's methods (`RouteMethods`), in the
/// form of the path's family: RFC 6749 JSON on the OAuth endpoints, problem JSON under
/// `/api/`, a small JSON body elsewhere. It acts only on the router's 404, so a matched
/// request pays nothing but the `do`.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = PatgateRequestContext
    /// The endpoints whose errors are RFC 6749 JSON.
    static let oauthPaths: Set<String> = ["/token", "/introspect"]

    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            // No route has this path, or one with this method threw its own 404 (a missing asset).
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            var response = Self.response(request, allowed: allowed.joined(separator: ", "))
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        }
    }

    static func response(_ request: Request, allowed: String) -> Response {
        let path = request.uri.path
        if oauthPaths.contains(path) {
            return JSONResponse.error(OAuthError(.invalidRequest, "\(request.method) is not allowed; use \(allowed)", status: 405))
        }
        if path.hasPrefix("/api/") {
            return Problem(405, "method_not_allowed", "Method not allowed",
                           "\(request.method) is not allowed on \(path); use \(allowed)").response
        }
        return JSONResponse.noStore(status: 405, Array(#"{"error":"method_not_allowed"}"#.utf8))
    }
}
