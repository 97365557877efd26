import Synchronization

/// A process-wide reference that request paths read: one atomic load. (The standard library's
/// `AtomicLazyReference.load()` took about 50 ns here, more than an uncontended lock; every
/// recorder reads one a call, BENCHMARKS.md "Metrics on and off".) The first instance stored
/// stays for the life of the process: it is retained once and never released.
struct ImmortalReference<Instance: AnyObject & Sendable>: ~Copyable, Sendable {
    private let bits = Atomic<UInt>(0)

    @inline(__always)
    func load() -> Instance? {
        guard let pointer = UnsafeRawPointer(bitPattern: bits.load(ordering: .acquiring)) else { return nil }
        return Unmanaged<Instance>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Runs `body` with the instance, if one is stored, without a retain or release: a write to
    /// its reference count would be a write to memory every core shares.
    @inline(__always)
    func withLoaded<Result>(_ body: (Instance) -> Result) -> Result? {
        guard let pointer = UnsafeRawPointer(bitPattern: bits.load(ordering: .acquiring)) else { return nil }
        return Unmanaged<Instance>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
    }

    /// Stores `instance` unless one is there; returns the one that stays.
    func storeIfNil(_ instance: Instance) -> Instance {
        let retained = Unmanaged.passRetained(instance)
        let (stored, found) = bits.compareExchange(expected: 0, desired: UInt(bitPattern: retained.toOpaque()),
                                                   successOrdering: .acquiringAndReleasing, failureOrdering: .acquiring)
        if stored { return instance }
        retained.release()
        return Unmanaged<Instance>.fromOpaque(UnsafeRawPointer(bitPattern: found)!).takeUnretainedValue()
    }
}
