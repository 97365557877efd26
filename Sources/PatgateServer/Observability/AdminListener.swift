import Hummingbird
import Logging
import PatgateCore
import ServiceLifecycle

/// `server.admin_port`: a second listener on `server.host` that serves `/metrics`, `/healthz`
/// and `/readyz` only, so they need not be reachable where `/token` is. It runs in the same
/// group as the main server and stops after it, so `/readyz` answers 503 while the main
/// listener drains (docs/ARCHITECTURE.md, "Lifecycle").
enum AdminListener {
    /// The admin application as a `Service`, or none without `server.admin_port`.
    static func services(_ components: Components, logger: Logger) -> [any Service] {
        guard let port = components.config.observability.adminPort else { return [] }
        let router = Router(context: PatgateRequestContext.self)
        HealthRoutes(readiness: components.readiness, store: components.issuer?.store,
                     revocations: components.revocations).register(on: router)
        if let registry = components.metrics { MetricsRoutes(registry: registry).register(on: router) }
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(components.config.server.host, port: port), serverName: "patgate-admin"),
            logger: logger)
        return [application]
    }
}
