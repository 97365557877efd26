import Hummingbird
import HTTPTypes
import PatgateTelemetry

/// Counts and times every answer in `patgate_http_requests_total{route,method,status}` and
/// `patgate_http_request_duration_seconds{route,method}`. The route is the router's template
/// (`/api/v1/tokens/{id}`), never the path; a method patgate does not serve is `other`. The
/// outermost middleware, so it also sees the answers other middleware gives. Installed whether
/// metrics are on or not, so that pausing them by a reload runs the very code a server started
/// with `metrics.enabled: false` runs: no clock read, one atomic load.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let started = Meters.start() else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: status, since: started)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since started: ContinuousClock.Instant) {
        Meters.httpRequest(route: context.endpointPath ?? "unmatched", method: Self.method(request.method), status: status,
                           nanoseconds: Meters.nanoseconds(since: started))
    }

    /// A bounded label: the methods patgate answers, else `other`.
    static func method(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .patch: "PATCH"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        default: "other"
        }
    }
}
