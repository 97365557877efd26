import Synchronization

/// A settable clock for tests, shared by reference: pass `clock.now` where the code under
/// test takes `now`, and move time with `clock.value.withLock { $0 += 60 }`.
public final class TestClock: Sendable {
    public let value: Mutex<Int64>
    public init(_ start: Int64) { value = Mutex(start) }
    public func now() -> Int64 { value.withLock { $0 } }
}
