import Foundation

extension ConfigParser {
    /// `metrics.enabled`, `server.admin_port` and `logging.format` (README, "Observability").
    mutating func parseObservability(mainPort: Int) -> PatgateConfig.Observability {
        var observability = PatgateConfig.Observability()
        observability.metricsEnabled = reader.bool("metrics.enabled", default: true)
        observability.adminPort = reader.optionalInt("server.admin_port", in: 0...65_535)
        if let admin = observability.adminPort, admin == mainPort, admin != 0 {
            reader.problem("server.admin_port", "must differ from server.port")
        }
        let format = reader.string("logging.format", default: "text")
        if let known = PatgateConfig.LogFormat(rawValue: format) {
            observability.logFormat = known
        } else {
            reader.problem("logging.format", "must be text or json")
        }
        // OpenTelemetry's own variables, not patgate keys (README, "Observability").
        let environment = ProcessInfo.processInfo.environment
        if let endpoint = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !endpoint.isEmpty {
            if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") {
                observability.otlpEndpoint = endpoint
            } else {
                reader.problem("OTEL_EXPORTER_OTLP_ENDPOINT", "must be an http(s) URL")
            }
        }
        if let name = environment["OTEL_SERVICE_NAME"], !name.isEmpty { observability.serviceName = name }
        return observability
    }
}
