import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One thread's metric observations not yet added to the registry's series, and the series ids
/// it has looked up (docs/ARCHITECTURE.md, "Metrics"). A request records into the tally of the
/// thread it runs on, so the two event loops never write the same memory for a metric: shared
/// counters, histogram locks and handle reference counts cost a cache-line transfer between
/// the cores on every write, which one core never shows but two loaded ones do
/// (BENCHMARKS.md, "Metrics on and off"). The observations reach the series when the tally
/// holds `capacity` of them, when `/metrics` renders (`takeAll`), and when the thread ends.
final class ThreadTally: @unchecked Sendable {
    /// A counter increment (`value` is the amount) or a duration (`value` in nanoseconds) of
    /// the series `series` of `SeriesTable`.
    struct Observation {
        let series: Int32
        let value: Int64
    }

    static let capacity = 256

    /// Taken by the owning thread on every record and by `/metrics` when it renders: almost
    /// never contended, and its cache line stays with the owning thread.
    private let pending = Mutex<[Observation]>(ThreadTally.emptyBuffer())
    // Read and written by the owning thread only.
    var httpIDs: [LabelTriple: Int32] = [:]
    var exchangeIDs: [LabelPair: Int32] = [:]

    private static func emptyBuffer() -> [Observation] {
        var buffer: [Observation] = []
        buffer.reserveCapacity(capacity)
        return buffer
    }

    /// The series of `key`: from this thread's `known` ids, else from the registry's `handles`
    /// (under their read lock, once a thread and key) and kept in `known`.
    @inline(__always)
    static func series<Key>(_ key: Key, _ known: inout [Key: Int32], _ handles: LabeledHandles<Key, Int32>) -> Int32 {
        if let series = known[key] { return series }
        let series = handles[key]
        known[key] = series
        return series
    }

    /// Keeps one observation; returns the full buffer, which the caller adds to the series.
    @inline(__always)
    func record(_ series: Int32, _ value: Int64) -> [Observation]? {
        pending.withLock { buffer -> [Observation]? in
            buffer.append(Observation(series: series, value: value))
            guard buffer.count >= Self.capacity else { return nil }
            defer { buffer = Self.emptyBuffer() }
            return buffer
        }
    }

    /// Everything recorded so far, leaving the tally empty.
    func take() -> [Observation] {
        pending.withLock { buffer in
            defer { buffer = Self.emptyBuffer() }
            return buffer
        }
    }

    // MARK: One tally a thread

    /// Every live thread's tally, for `takeAll`.
    private static let all = Mutex<[ThreadTally]>([])

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        // When a thread ends, what it recorded is added at once and its tally goes.
        precondition(pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            let tally = Unmanaged<ThreadTally>.fromOpaque(pointer).takeRetainedValue()
            Meters.add(tally.take())
            ThreadTally.all.withLock { $0.removeAll { $0 === tally } }
        } == 0, "pthread_key_create failed")
        return key
    }()

    /// Runs `body` with the calling thread's tally, made on the thread's first call. No
    /// reference count changes: the thread-specific slot holds the tally's one retain.
    @inline(__always)
    static func withCurrent<Result>(_ body: (ThreadTally) -> Result) -> Result {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadTally>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
        }
        let tally = ThreadTally()
        all.withLock { $0.append(tally) }
        pthread_setspecific(key, Unmanaged.passRetained(tally).toOpaque())
        return body(tally)
    }

    /// What every thread has recorded so far, each tally left empty: `/metrics` adds it to the
    /// series before it renders, so a scrape counts every answer given before it.
    static func takeAll() -> [Observation] {
        let tallies = all.withLock { $0 }
        return tallies.flatMap { $0.take() }
    }
}
