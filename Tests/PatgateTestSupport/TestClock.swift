import Synchronization

/// A settable clock for tests, shared by reference.
final class TestClock: Sendable {
    let value: Mutex<Int64>
    init(_ start: Int64) { value = Mutex(start) }
    func now() -> Int64 { value.withLock { $0 } }
}
