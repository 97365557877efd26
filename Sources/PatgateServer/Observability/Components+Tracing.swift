import Logging
import PatgateAdapters
import PatgateTelemetry

extension Components {
    /// With `OTEL_EXPORTER_OTLP_ENDPOINT` set, the exporter whose queue `Tracing` fills from now on.
    static func makeSpanExporter(_ observability: PatgateConfig.Observability, logger: Logger) throws -> OTLPExporter? {
        guard let endpoint = observability.otlpEndpoint else { return nil }
        let exporter = try OTLPExporter(endpoint: endpoint, serviceName: observability.serviceName,
                                        version: BuildInfo.version, logger: logger)
        Tracing.install(exporter.sink)
        return exporter
    }
}
