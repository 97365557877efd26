import Logging
import PatgateAdapters
import PatgateCore
import ServiceLifecycle

/// The long-running pieces of observability, for the group after the composition root's own
/// and before the HTTP server: the span exporter, the `patgate_pats` gauge and the admin listener.
enum ObservabilityServices {
    static func services(_ components: Components, logger: Logger) -> [any Service] {
        var services: [any Service] = components.spanExporter.map { [$0] } ?? []
        if components.metrics != nil, let census = components.management?.stores.pats as? any PATCensus {
            services.append(PATStateGauge(census: census, interval: .seconds(30), logger: logger))
        }
        return services + AdminListener.services(components, logger: logger)
    }
}
