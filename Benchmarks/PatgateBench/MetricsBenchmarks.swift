import PatgateTelemetry

/// What one cache-hit exchange records in its metrics (docs/ARCHITECTURE.md, "Metrics"), alone:
/// the HTTP request pair with its two clock reads, the exchange counter, the cache-hit counter
/// and the signing histogram with its two clock reads; once recording, once paused (the code a
/// server started with `metrics.enabled: false` runs). Installs the process's registry, so it
/// runs after every other benchmark.
enum MetricsBenchmarks {
    static let names = ["metrics of a cache-hit exchange (on)", "metrics of a cache-hit exchange (off)"]

    static func run(seconds: Double, selects: (String) -> Bool) -> [Measurement] {
        guard names.contains(where: selects) else { return [] }
        Meters.install(version: "bench")
        defer { Meters.setRecording(false) }
        var items: [Measurement] = []
        for (name, on) in zip(names, [true, false]) where selects(name) {
            Meters.setRecording(on)
            items.append(Measurement.run(name, seconds: seconds, recordOneExchange))
        }
        return items
    }

    /// The calls `RequestMetricsMiddleware`, `CachingTokenValidator` and `ExchangeMetrics` make.
    static func recordOneExchange() {
        let request = Meters.start()
        Meters.cacheLookup(hit: true)
        if Meters.isEnabled {   // TokenExchangeService times the signature only then
            let signing = ContinuousClock.now
            let elapsed = ContinuousClock.now - signing
            Meters.signed(nanoseconds: elapsed.components.attoseconds / 1_000_000_000)
        }
        Meters.exchange(clientID: "ci", result: "success")
        Meters.httpRequest(route: "/token", method: "POST", status: 200, nanoseconds: Meters.nanoseconds(since: request))
    }
}
