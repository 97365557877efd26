import HTTPTypes
import Hummingbird
import Logging
import PatgateTelemetry

/// Honours an incoming W3C `traceparent`: the request's work runs with its trace bound to
/// `TraceContext.current` (the introspection and STS calls carry it on), and its log lines name
/// `trace_id`. With spans exported (`OTEL_EXPORTER_OTLP_ENDPOINT`), the request is a server span,
/// child of the incoming parent or the root of a new trace. Without either it costs one header
/// lookup and one atomic load.
struct TraceContextMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let incoming = request.headers[TraceHeader.traceparent].flatMap(TraceContext.init(traceparent:))
        // The span's name is built only when spans are exported: `finish` renames it anyway.
        guard Tracing.isEnabled, var span = Tracing.start("HTTP", kind: .server, parent: incoming) else {
            guard let incoming else { return try await next(request, context) }
            return try await run(request, context, in: incoming, next)
        }
        do {
            let response = try await run(request, context, in: span.context, next)
            finish(&span, request, context, status: response.status.code)
            return response
        } catch {
            finish(&span, request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }

    private func run(_ request: Request, _ context: Context, in trace: TraceContext,
                     _ next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.logger[metadataKey: "trace_id"] = .string(trace.traceID)
        return try await TraceContext.$current.withValue(trace) { try await next(request, context) }
    }

    /// Names the span after the route template (never the path) once the router matched it.
    private func finish(_ span: inout Span, _ request: Request, _ context: Context, status: Int) {
        let method = RequestMetricsMiddleware<Context>.method(request.method)
        let route = context.endpointPath ?? "unmatched"
        span.name = "\(method) \(route)"
        span.attributes = [("http.request.method", method), ("http.route", route), ("http.response.status_code", String(status))]
        span.failed = status >= 500
        span.end()
    }
}

/// The header's name, made once (a generic type cannot hold a stored static).
enum TraceHeader {
    static let traceparent = HTTPField.Name("traceparent")!
}
