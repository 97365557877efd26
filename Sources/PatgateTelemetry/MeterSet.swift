import CoreMetrics
import Prometheus

/// The handles of one registry: the fixed series made at once, the labelled ones on first use.
final class MeterSet: Sendable {
    let registry: MetricsRegistry
    /// The counter of (route, method, status) and the timer of (route, method): one lookup a request.
    let http: LabeledHandles<LabelTriple, HTTPHandles>
    let exchanges: LabeledHandles<LabelPair, CoreMetrics.Counter>
    let introspections: LabeledHandles<String, CoreMetrics.Counter>
    let introspectionDuration: CoreMetrics.Timer
    let cacheHits: CoreMetrics.Counter
    let cacheMisses: CoreMetrics.Counter
    let cacheJoins: CoreMetrics.Counter
    let cacheEvictions: CoreMetrics.Counter
    let cacheEntries: CoreMetrics.Meter
    let revocationEvents: LabeledHandles<String, CoreMetrics.Counter>
    let revocationLag: CoreMetrics.Timer
    let signingDuration: CoreMetrics.Timer
    let credentials: LabeledHandles<LabelPair, CoreMetrics.Counter>
    let credentialDuration: LabeledHandles<String, CoreMetrics.Timer>
    let databaseDuration: LabeledHandles<LabelPair, CoreMetrics.Timer>
    let databaseInUse: LabeledHandles<String, CoreMetrics.Meter>
    let logins: LabeledHandles<String, CoreMetrics.Counter>
    let forwardAuth: LabeledHandles<String, CoreMetrics.Counter>
    let pats: LabeledHandles<String, CoreMetrics.Meter>
    let keyCreated: LabeledHandles<LabelPair, CoreMetrics.Meter>
    let caNotBefore: CoreMetrics.Meter
    let caNotAfter: CoreMetrics.Meter

    init(registry: MetricsRegistry) {
        self.registry = registry
        let factory = registry.factory
        http = LabeledHandles { key in
            HTTPHandles(
                requests: CoreMetrics.Counter(label: MetricName.httpRequests,
                                              dimensions: [("route", key.first), ("method", key.second), ("status", String(key.third))],
                                              factory: factory),
                duration: CoreMetrics.Timer(label: MetricName.httpDuration, dimensions: [("route", key.first), ("method", key.second)],
                                            factory: factory))
        }
        exchanges = LabeledHandles { key in
            CoreMetrics.Counter(label: MetricName.exchanges, dimensions: [("client_id", key.first), ("result", key.second)], factory: factory)
        }
        introspections = LabeledHandles { CoreMetrics.Counter(label: MetricName.introspections, dimensions: [("outcome", $0)], factory: factory) }
        introspectionDuration = CoreMetrics.Timer(label: MetricName.introspectionDuration, factory: factory)
        cacheHits = CoreMetrics.Counter(label: MetricName.cacheLookups, dimensions: [("result", "hit")], factory: factory)
        cacheMisses = CoreMetrics.Counter(label: MetricName.cacheLookups, dimensions: [("result", "miss")], factory: factory)
        cacheJoins = CoreMetrics.Counter(label: MetricName.cacheJoins, factory: factory)
        cacheEvictions = CoreMetrics.Counter(label: MetricName.cacheEvictions, factory: factory)
        cacheEntries = CoreMetrics.Meter(label: MetricName.cacheEntries, factory: factory)
        revocationEvents = LabeledHandles { CoreMetrics.Counter(label: MetricName.revocationEvents, dimensions: [("kind", $0)], factory: factory) }
        revocationLag = CoreMetrics.Timer(label: MetricName.revocationLag, factory: factory)
        signingDuration = CoreMetrics.Timer(label: MetricName.signingDuration, factory: factory)
        credentials = LabeledHandles { key in
            CoreMetrics.Counter(label: MetricName.credentials, dimensions: [("provider", key.first), ("outcome", key.second)], factory: factory)
        }
        credentialDuration = LabeledHandles { CoreMetrics.Timer(label: MetricName.credentialDuration, dimensions: [("provider", $0)], factory: factory) }
        databaseDuration = LabeledHandles { key in
            CoreMetrics.Timer(label: MetricName.databaseDuration, dimensions: [("db", key.first), ("operation", key.second)], factory: factory)
        }
        databaseInUse = LabeledHandles { CoreMetrics.Meter(label: MetricName.databaseInUse, dimensions: [("db", $0)], factory: factory) }
        logins = LabeledHandles { CoreMetrics.Counter(label: MetricName.logins, dimensions: [("result", $0)], factory: factory) }
        forwardAuth = LabeledHandles { CoreMetrics.Counter(label: MetricName.forwardAuth, dimensions: [("result", $0)], factory: factory) }
        pats = LabeledHandles { CoreMetrics.Meter(label: MetricName.pats, dimensions: [("state", $0)], factory: factory) }
        keyCreated = LabeledHandles { key in
            CoreMetrics.Meter(label: MetricName.keyCreated, dimensions: [("kid", key.first), ("role", key.second)], factory: factory)
        }
        caNotBefore = CoreMetrics.Meter(label: MetricName.caNotBefore, factory: factory)
        caNotAfter = CoreMetrics.Meter(label: MetricName.caNotAfter, factory: factory)
    }
}

/// One HTTP series pair.
struct HTTPHandles: Sendable {
    let requests: CoreMetrics.Counter
    let duration: CoreMetrics.Timer
}
