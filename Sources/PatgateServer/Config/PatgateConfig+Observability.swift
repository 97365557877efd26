extension PatgateConfig {
    /// How the process is watched: metrics, the admin listener, the log format.
    public struct Observability: Sendable {
        /// `metrics.enabled`: record metrics and serve `/metrics` (default true).
        public var metricsEnabled = true
        /// `server.admin_port`: a second listener on `server.host` for `/metrics`, `/healthz`
        /// and `/readyz`; with it, the main listener no longer serves `/metrics`.
        public var adminPort: Int?
        /// `logging.format`
        public var logFormat = LogFormat.text
        /// `OTEL_EXPORTER_OTLP_ENDPOINT`: the OpenTelemetry collector spans go to (OTLP/HTTP);
        /// `nil`: no spans are recorded.
        public var otlpEndpoint: String?
        /// `OTEL_SERVICE_NAME`, default `patgate`.
        public var serviceName = "patgate"
    }

    /// `logging.format`: `text` (swift-log's stream format) or `json` (one object a line).
    public enum LogFormat: String, Sendable {
        case text
        case json
    }
}
