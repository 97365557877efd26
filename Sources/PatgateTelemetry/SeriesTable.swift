import CoreMetrics
import Synchronization

/// The series that requests record into through their thread's `ThreadTally`, by a small
/// integer id: an observation names its series without holding (and so retaining) its
/// handle. The swift-metrics handles behind the ids are the registry's, so `/metrics`
/// renders them like every other series once the tallies are added.
final class SeriesTable: Sendable {
    /// What one observation of a series does.
    enum Sink: Sendable {
        /// Adds the observation's value.
        case counter(CoreMetrics.Counter)
        /// Records the observation's value in nanoseconds.
        case timer(CoreMetrics.Timer)
        /// Counts one and records the value: a request's count and its duration.
        case countedTimer(CoreMetrics.Counter, CoreMetrics.Timer)
    }

    private let sinks = Mutex<[Sink]>([])

    /// The id of a new series.
    func add(_ sink: Sink) -> Int32 {
        sinks.withLock { sinks in
            sinks.append(sink)
            return Int32(sinks.count - 1)
        }
    }

    /// Adds observations taken from tallies to their series. A counter's observations are
    /// summed first and added once: a counter shared by both event loops is written once a
    /// flush, not once an observation (BENCHMARKS.md, "Issue 14", session 34).
    func apply(_ observations: [ThreadTally.Observation]) {
        guard !observations.isEmpty else { return }
        let sinks = sinks.withLock { $0 }
        var counts = [Int64](repeating: 0, count: sinks.count)
        for observation in observations {
            let series = Int(observation.series)
            switch sinks[series] {
            case .counter: counts[series] += observation.value
            case .timer(let timer): timer.recordNanoseconds(observation.value)
            case .countedTimer(_, let timer):
                counts[series] += 1
                timer.recordNanoseconds(observation.value)
            }
        }
        for (series, count) in counts.enumerated() where count > 0 {
            switch sinks[series] {
            case .counter(let counter), .countedTimer(let counter, _): counter.increment(by: count)
            case .timer: break
            }
        }
    }
}
