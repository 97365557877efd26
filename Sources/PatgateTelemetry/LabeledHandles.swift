#if canImport(Glibc)
import Glibc
#endif

/// Metric handles by label values, made once and then looked up: the registry's own lookup
/// takes a lock and builds the series name each time; this one is a dictionary read under a
/// read lock, which concurrent requests share (`scripts/bench --metrics-cost` showed exclusive
/// locks here cost throughput on two cores). Keys come from bounded sets only
/// (docs/ARCHITECTURE.md, "Metrics").
final class LabeledHandles<Key: Hashable & Sendable, Handle: Sendable>: @unchecked Sendable {
    // Guarded by `lock`: read under the read lock, written under the write lock.
    private var handles: [Key: Handle] = [:]
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    private let make: @Sendable (Key) -> Handle

    init(_ make: @escaping @Sendable (Key) -> Handle) {
        self.make = make
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    subscript(key: Key) -> Handle {
        pthread_rwlock_rdlock(lock)
        let found = handles[key]
        pthread_rwlock_unlock(lock)
        if let found { return found }
        // Made outside the lock: the registry takes its own. Two racing makers get the same series.
        let handle = make(key)
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        if let existing = handles[key] { return existing }
        handles[key] = handle
        return handle
    }
}

/// Two label values: a dictionary key for `LabeledHandles`.
struct LabelPair: Hashable, Sendable {
    let first: String
    let second: String

    init(_ first: String, _ second: String) {
        self.first = first
        self.second = second
    }
}

/// Three label values.
struct LabelTriple: Hashable, Sendable {
    let first: String
    let second: String
    let third: Int
}
