import CoreMetrics
import Prometheus

/// The handles of one registry: the fixed series made at once, the labelled ones on first use.
final class MeterSet: Sendable {
    let registry: MetricsRegistry
    /// The series a request records into through its thread's `ThreadTally`, by id.
    let series: SeriesTable
    /// The counter of (route, method, status) and the timer of (route, method): one series id.
    let http: LabeledHandles<LabelTriple, Int32>
    let exchanges: LabeledHandles<LabelPair, Int32>
    let introspections: LabeledHandles<String, CoreMetrics.Counter>
    let introspectionDuration: CoreMetrics.Timer
    let cacheHits: Int32
    let cacheMisses: Int32
    let cacheJoins: Int32
    let cacheEvictions: CoreMetrics.Counter
    let cacheEntries: CoreMetrics.Meter
    let revocationEvents: LabeledHandles<String, CoreMetrics.Counter>
    let revocationLag: CoreMetrics.Timer
    let signingDuration: Int32
    let credentials: LabeledHandles<LabelPair, CoreMetrics.Counter>
    let credentialDuration: LabeledHandles<String, CoreMetrics.Timer>
    let databaseDuration: LabeledHandles<LabelPair, CoreMetrics.Timer>
    let databaseInUse: LabeledHandles<String, CoreMetrics.Meter>
    let logins: LabeledHandles<String, CoreMetrics.Counter>
    /// By `ForwardAuthDecision.position`.
    let forwardAuth: [Int32]
    let pats: LabeledHandles<String, CoreMetrics.Meter>
    let keyCreated: LabeledHandles<LabelPair, CoreMetrics.Meter>
    let caNotBefore: CoreMetrics.Meter
    let caNotAfter: CoreMetrics.Meter

    init(registry: MetricsRegistry) {
        self.registry = registry
        let factory = registry.factory
        let series = SeriesTable()
        self.series = series
        http = LabeledHandles { key in
            series.add(.countedTimer(
                CoreMetrics.Counter(label: MetricName.httpRequests,
                                    dimensions: [("route", key.first), ("method", key.second), ("status", String(key.third))],
                                    factory: factory),
                CoreMetrics.Timer(label: MetricName.httpDuration, dimensions: [("route", key.first), ("method", key.second)],
                                  factory: factory)))
        }
        exchanges = LabeledHandles { key in
            series.add(.counter(CoreMetrics.Counter(label: MetricName.exchanges, dimensions: [("client_id", key.first), ("result", key.second)],
                                                    factory: factory)))
        }
        introspections = LabeledHandles { CoreMetrics.Counter(label: MetricName.introspections, dimensions: [("outcome", $0)], factory: factory) }
        introspectionDuration = CoreMetrics.Timer(label: MetricName.introspectionDuration, factory: factory)
        cacheHits = series.add(.counter(CoreMetrics.Counter(label: MetricName.cacheLookups, dimensions: [("result", "hit")], factory: factory)))
        cacheMisses = series.add(.counter(CoreMetrics.Counter(label: MetricName.cacheLookups, dimensions: [("result", "miss")], factory: factory)))
        cacheJoins = series.add(.counter(CoreMetrics.Counter(label: MetricName.cacheJoins, factory: factory)))
        cacheEvictions = CoreMetrics.Counter(label: MetricName.cacheEvictions, factory: factory)
        cacheEntries = CoreMetrics.Meter(label: MetricName.cacheEntries, factory: factory)
        revocationEvents = LabeledHandles { CoreMetrics.Counter(label: MetricName.revocationEvents, dimensions: [("kind", $0)], factory: factory) }
        revocationLag = CoreMetrics.Timer(label: MetricName.revocationLag, factory: factory)
        signingDuration = series.add(.timer(CoreMetrics.Timer(label: MetricName.signingDuration, factory: factory)))
        credentials = LabeledHandles { key in
            CoreMetrics.Counter(label: MetricName.credentials, dimensions: [("provider", key.first), ("outcome", key.second)], factory: factory)
        }
        credentialDuration = LabeledHandles { CoreMetrics.Timer(label: MetricName.credentialDuration, dimensions: [("provider", $0)], factory: factory) }
        databaseDuration = LabeledHandles { key in
            CoreMetrics.Timer(label: MetricName.databaseDuration, dimensions: [("db", key.first), ("operation", key.second)], factory: factory)
        }
        databaseInUse = LabeledHandles { CoreMetrics.Meter(label: MetricName.databaseInUse, dimensions: [("db", $0)], factory: factory) }
        logins = LabeledHandles { CoreMetrics.Counter(label: MetricName.logins, dimensions: [("result", $0)], factory: factory) }
        forwardAuth = ForwardAuthDecision.allCases.map { decision in
            series.add(.counter(CoreMetrics.Counter(label: MetricName.forwardAuth, dimensions: [("result", decision.rawValue)], factory: factory)))
        }
        pats = LabeledHandles { CoreMetrics.Meter(label: MetricName.pats, dimensions: [("state", $0)], factory: factory) }
        keyCreated = LabeledHandles { key in
            CoreMetrics.Meter(label: MetricName.keyCreated, dimensions: [("kid", key.first), ("role", key.second)], factory: factory)
        }
        caNotBefore = CoreMetrics.Meter(label: MetricName.caNotBefore, factory: factory)
        caNotAfter = CoreMetrics.Meter(label: MetricName.caNotAfter, factory: factory)
    }
}
