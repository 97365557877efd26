import Synchronization

/// Set from a task's cancellation handler, read by the worker (before it starts the
/// request, and from libcurl's progress callback while it runs).
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func cancel() { cancelled.store(true, ordering: .releasing) }
}

/// One queued request and the continuation of the task awaiting it. Whoever takes a
/// job out of the ``JobQueue`` (a worker, or ``JobQueue/close()``) finishes it, once.
struct CurlJob: Sendable {
    let request: HTTPRequest
    let cancellation: CancellationFlag
    let continuation: CheckedContinuation<Result<HTTPResponse, CurlError>, Never>

    func finish(_ result: Result<HTTPResponse, CurlError>) {
        continuation.resume(returning: result)
    }
}
