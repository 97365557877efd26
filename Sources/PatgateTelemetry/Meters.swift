import CoreMetrics
import Synchronization

/// Where every module records its metrics (docs/ARCHITECTURE.md, "Metrics"). Until
/// `install(version:)` runs, which `patgate serve` does unless `metrics.enabled` is false,
/// and while recording is paused (`metrics.enabled: false` applied by a reload), every call
/// returns at once: one or two atomic loads, no clock read.
///
/// One registry a process, like swift-metrics' own `MetricsSystem`: the events happen deep in
/// adapters built before any route exists, and a second registry would only split the series.
public enum Meters {
    private static let installed = ImmortalReference<MeterSet>()
    private static let paused = Atomic<Bool>(false)

    /// Makes the process's registry on the first call and returns it; later calls return the
    /// same one. `version` becomes `patgate_build_info{version=…}`.
    @discardableResult
    public static func install(version: String) -> MetricsRegistry {
        if let set = installed.load() { return set.registry }
        let candidate = MeterSet(registry: MetricsRegistry())
        let set = installed.storeIfNil(candidate)
        if set === candidate {   // only the call that installed names the version
            Gauge(label: MetricName.buildInfo, dimensions: [("version", version)], factory: set.registry.factory).record(1)
        }
        return set.registry
    }

    /// Pauses (`false`) or resumes (`true`) recording into the installed registry: what a reload
    /// that changes `metrics.enabled` does. Without a registry there is nothing to resume.
    public static func setRecording(_ on: Bool) {
        paused.store(!on, ordering: .sequentiallyConsistent)
    }

    /// The registry, once installed (also while recording is paused).
    public static var registry: MetricsRegistry? { installed.load()?.registry }

    /// Whether recorders record now: installed and not paused.
    public static var isEnabled: Bool { Self.set != nil }

    @inline(__always) static var set: MeterSet? {
        guard let set = installed.load() else { return nil }
        return paused.load(ordering: .relaxed) ? nil : set
    }

    /// Runs `body` with the registry's handles while recording, without retaining them.
    @inline(__always)
    static func recording(_ body: (MeterSet) -> Void) {
        guard !paused.load(ordering: .relaxed) else { return }
        installed.withLoaded(body)
    }

    /// Records one observation in the calling thread's tally (`ThreadTally`), of the series
    /// `series` finds with that tally; a full tally is added to the series at once.
    @inline(__always)
    static func tally(_ set: MeterSet, _ value: Int64 = 1, series: (ThreadTally) -> Int32) {
        if let full = ThreadTally.withCurrent({ $0.record(series($0), value) }) { set.series.apply(full) }
    }

    /// Records one observation of the fixed series `series`.
    @inline(__always)
    static func tally(_ set: MeterSet, _ series: Int32, _ value: Int64 = 1) {
        tally(set, value) { _ in series }
    }

    /// Adds observations taken from the tallies to their series (also while paused: they were
    /// recorded before).
    static func add(_ observations: [ThreadTally.Observation]) {
        installed.withLoaded { $0.series.apply(observations) }
    }

    /// A start time for the `nanoseconds` argument of the recorders below; `nil` when metrics
    /// are off, so a disabled build reads no clock.
    @inline(__always)
    public static func start() -> ContinuousClock.Instant? {
        Self.set == nil ? nil : ContinuousClock.now
    }

    /// Nanoseconds since `start`, 0 without a start.
    @inline(__always)
    public static func nanoseconds(since start: ContinuousClock.Instant?) -> Int64 {
        guard let start else { return 0 }
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }
}
