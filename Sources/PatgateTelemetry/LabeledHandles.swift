import Synchronization

/// Metric handles by label values, made once and then looked up: the registry's own lookup
/// takes a lock and builds the series name each time, this one is a dictionary read under an
/// uncontended lock. Keys come from bounded sets only (docs/ARCHITECTURE.md, "Metrics").
final class LabeledHandles<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])
    private let make: @Sendable (Key) -> Handle

    init(_ make: @escaping @Sendable (Key) -> Handle) {
        self.make = make
    }

    subscript(key: Key) -> Handle {
        if let handle = handles.withLock({ $0[key] }) { return handle }
        // Made outside the lock: the registry takes its own. Two racing makers get the same series.
        let handle = make(key)
        return handles.withLock { handles in
            if let existing = handles[key] { return existing }
            handles[key] = handle
            return handle
        }
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
