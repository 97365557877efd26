import Synchronization

/// Whether this process should get new traffic: `/readyz` answers 503 from the moment the
/// service group starts to stop, so a load balancer takes the replica out before it goes.
public final class Readiness: Sendable {
    private let stopping = Atomic<Bool>(false)

    public init() {}

    /// True once the stop began.
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Marks the start of the stop; `/readyz` answers 503 from now on.
    public func beginStopping() {
        stopping.store(true, ordering: .relaxed)
    }
}
