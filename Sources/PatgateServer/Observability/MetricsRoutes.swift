import Hummingbird
import NIOCore
import PatgateTelemetry

/// `GET /metrics`: every series in Prometheus's text format (README, "Metrics"), on the main
/// listener, or on the admin listener when `server.admin_port` is set; 404 while a reload has
/// paused them (`metrics.enabled: false`), as in a server started without them.
struct MetricsRoutes {
    let registry: MetricsRegistry

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("metrics") { _, _ in
            guard Meters.isEnabled else { throw HTTPError(.notFound) }
            var headers = HTTPFields()
            headers[.contentType] = MetricsRegistry.contentType
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.render())))
        }
    }
}
