import Synchronization

/// A counter that waiters can sleep on: `ring()` advances it and wakes everyone waiting for a
/// value beyond the one they read before they looked (so a ring between the look and the wait
/// is not lost). The revocation watcher's loop sleeps on one (a PostgreSQL notification rings
/// it); the issuer's revocation feed sleeps on another (the watcher rings it after applying
/// events).
public final class WakeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The current value; pass it to `wait(beyond:upTo:)`.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// How many wait now (tests).
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Advances the counter and wakes every waiter.
    public func ring() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the counter is beyond `generation`, after `timeout`, or when the task is
    /// cancelled, whichever comes first.
    public func wait(beyond generation: UInt64, upTo timeout: Duration) async {
        guard timeout > .zero, self.generation == generation else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForRing(beyond: generation) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing(beyond generation: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Checked under the lock that `ring()` and the cancellation handler take, so
                // neither a ring nor a cancellation can slip in before the waiter is recorded.
                let now = self.state.withLock { state in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
