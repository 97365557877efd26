import Synchronization

/// Bounds how long a database operation may take: postgres-nio's pool keeps a request waiting
/// while it retries connecting, and a running query ignores cancellation, so a lost server, a
/// stalled connection or a statement waiting on a lock would otherwise hold the caller.
enum Deadline {
    /// Runs `operation` in a task of its own and returns its result, or throws `.unavailable`
    /// once `limit` has passed, whichever comes first, without waiting for the loser: a timed
    /// out operation is cancelled, `onTimeout` runs (to close what it holds), and whatever it
    /// does later is discarded. A cancelled caller gets `CancellationError` at once.
    static func run<Value: Sendable>(after limit: Duration, onTimeout: (@Sendable () -> Void)? = nil,
                                     _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let race = Race<Value>()
        return try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { timer in
                timer.addTask {
                    try? await Task.sleep(for: limit)
                    if race.finish(.failure(PostgresStoreError(.unavailable, "no answer within \(limit)"))) {
                        onTimeout?()
                    }
                }
                defer { timer.cancelAll() }
                return try await withCheckedThrowingContinuation { continuation in
                    race.start(continuation)
                    // Unstructured on purpose: a timed-out operation (a query stuck on a lost
                    // connection ignores cancellation) must not hold the caller; it is cancelled
                    // and whatever it does later is discarded.
                    race.add(Task {
                        do {
                            race.finish(.success(try await operation()))
                        } catch {
                            race.finish(.failure(error))
                        }
                    })
                }
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// The first of the operation, the timer and the caller's cancellation to finish resumes
    /// the continuation, once, and cancels the others.
    private final class Race<Value: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Value, any Error>?
            var outcome: Result<Value, any Error>?
            var tasks: [Task<Void, Never>] = []
        }

        /// What the first to finish takes out of the state, to act on outside the lock.
        private struct Winner {
            var continuation: CheckedContinuation<Value, any Error>?
            var tasks: [Task<Void, Never>]
        }

        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<Value, any Error>) {
            let outcome = state.withLock { state in
                if state.outcome == nil { state.continuation = continuation }
                return state.outcome
            }
            if let outcome { continuation.resume(with: outcome) }   // cancelled before it began
        }

        func add(_ task: Task<Void, Never>) {
            let finished = state.withLock { state in
                if state.outcome == nil { state.tasks.append(task) }
                return state.outcome != nil
            }
            if finished { task.cancel() }
        }

        /// `true` when `outcome` is the one the caller receives.
        @discardableResult
        func finish(_ outcome: Result<Value, any Error>) -> Bool {
            let winner = state.withLock { state -> Winner? in
                guard state.outcome == nil else { return nil }
                state.outcome = outcome
                defer { state.continuation = nil; state.tasks = [] }
                return Winner(continuation: state.continuation, tasks: state.tasks)
            }
            guard let winner else { return false }
            for task in winner.tasks { task.cancel() }
            winner.continuation?.resume(with: outcome)
            return true
        }
    }
}
