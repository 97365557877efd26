import Dispatch
import PatgateTelemetry
import Synchronization

/// What one cache-hit exchange records in its metrics (docs/ARCHITECTURE.md, "Metrics"), alone:
/// the HTTP request pair with its two clock reads, the exchange counter, the cache-hit counter
/// and the signing histogram with its two clock reads; once recording, once paused (the code a
/// server started with `metrics.enabled: false` runs); and recording on two threads at once,
/// as the two event loops do, where series both threads write would move between the cores'
/// caches on every write (ns per operation per thread). Installs the process's registry, so it
/// runs after every other benchmark.
enum MetricsBenchmarks {
    static let names = ["metrics of a cache-hit exchange (on)", "metrics of a cache-hit exchange (off)"]
    static let twoThreads = "metrics of a cache-hit exchange (on, 2 threads)"

    static func run(seconds: Double, selects: (String) -> Bool) -> [Measurement] {
        guard (names + [twoThreads]).contains(where: selects) else { return [] }
        Meters.install(version: "bench")
        defer { Meters.setRecording(false) }
        var items: [Measurement] = []
        for (name, on) in zip(names, [true, false]) where selects(name) {
            Meters.setRecording(on)
            items.append(Measurement.run(name, seconds: seconds, recordOneExchange))
        }
        if selects(twoThreads) {
            Meters.setRecording(true)
            items.append(onTwoThreads(twoThreads, seconds: seconds, recordOneExchange))
        }
        return items
    }

    /// `body` on two threads at once for `seconds`; the time per operation is per thread.
    static func onTwoThreads(_ name: String, seconds: Double, _ body: @escaping @Sendable () -> Void) -> Measurement {
        let found = Mutex<[Measurement]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let measured = Measurement.run(name, seconds: seconds, body)
            found.withLock { $0.append(measured) }
        }
        let both = found.withLock { $0 }
        return Measurement(name: name, operations: both.reduce(0) { $0 + $1.operations },
                           seconds: both.reduce(0) { $0 + $1.seconds })
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
