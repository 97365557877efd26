import CoreMetrics
import Prometheus

/// The process's Prometheus registry and the swift-metrics factory that feeds it, with the
/// histogram buckets patgate's latencies need. `render()` is the body of `GET /metrics`.
public final class MetricsRegistry: Sendable {
    let prometheus: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    let process: ProcessGauges

    init() {
        prometheus = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: prometheus)
        // Sub-millisecond steps: a cache-hit exchange and a signature take tens of microseconds.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        // Revocation lag: the one-second promise and the cache TTL beyond it.
        factory.durationHistogramBuckets[MetricName.revocationLag] = [
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2), .seconds(5), .seconds(15), .seconds(60), .seconds(300),
        ]
        self.factory = factory
        process = ProcessGauges(factory: factory)
    }

    /// The Prometheus text exposition (format 0.0.4) of every series, the process gauges read
    /// and every thread's tally (`ThreadTally`) added just before.
    public func render() -> [UInt8] {
        Meters.add(ThreadTally.takeAll())
        process.update()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        prometheus.emit(into: &buffer)
        return buffer
    }

    /// `Content-Type` of `render()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
