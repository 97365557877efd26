import Synchronization

/// Set from a task's cancellation handler (which then wakes the driver), read by the
/// ``CurlDriver`` before it starts the request and on each turn of its loop while it runs.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func cancel() { cancelled.store(true, ordering: .releasing) }
}

/// Who answers a job: the driver that takes it, or the deadline timer if the driver did not
/// take it in time. Exactly one of them wins.
final class JobClaim: Sendable {
    private let state = Atomic<UInt8>(0)   // 0 waiting, 1 taken by the driver, 2 expired

    /// The driver takes the job; `false` if its deadline already answered it.
    func take() -> Bool { state.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged }

    /// The deadline passed while the job waited; `false` if the driver has it.
    func expire() -> Bool { state.compareExchange(expected: 0, desired: 2, ordering: .acquiringAndReleasing).exchanged }
}

/// One queued request and the continuation of the task awaiting it. Whoever takes a
/// job out of the ``JobQueue`` (the driver, or ``JobQueue/close()``) finishes it, once.
struct CurlJob: Sendable {
    let request: HTTPRequest
    let cancellation: CancellationFlag
    let continuation: CheckedContinuation<Result<HTTPResponse, CurlError>, Never>
    /// The whole request, its wait for a free slot included, ends by then.
    let deadline: ContinuousClock.Instant
    let claim = JobClaim()

    func finish(_ result: Result<HTTPResponse, CurlError>) {
        continuation.resume(returning: result)
    }
}
