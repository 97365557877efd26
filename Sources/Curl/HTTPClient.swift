import Dispatch

/// A small, safe HTTP/1.1 and HTTP/2 client over libcurl.
///
/// Requests run on ``HTTPClientOptions/connections`` dedicated worker threads, never
/// on the Swift cooperative pool or an event loop; each thread reuses one libcurl
/// handle, so connections are kept alive between requests. Redirects are not followed,
/// only `http` and `https` are spoken, and every failure is a ``CurlError``.
/// As libcurl does, it honours the `http_proxy`/`https_proxy`/`no_proxy` environment.
///
/// ```swift
/// let client = try HTTPClient(options: .init(totalTimeout: .seconds(3)))
/// let response = try await client.perform(HTTPRequest(url: "https://idp/introspect",
///     headers: [("Authorization", "Basic …")], body: Array("token=…".utf8)))
/// ```
public final class HTTPClient: Sendable {
    private let queue: JobQueue
    private let options: HTTPClientOptions

    /// Starts the worker threads. Throws ``CurlError/Kind-swift.enum/invalidRequest``
    /// for invalid options, or if libcurl cannot be initialised.
    public init(options: HTTPClientOptions = .init()) throws(CurlError) {
        try options.validate()
        try CurlGlobal.ensureInitialised()
        self.options = options
        queue = JobQueue(workerCount: options.connections, limit: options.maxQueued)
        for index in 0..<options.connections {
            CurlWorker.start(index: index, queue: queue, options: options)
        }
    }

    deinit {
        shutdown()
    }

    /// Sends `request` and returns the final response, whatever its status.
    ///
    /// Waits for a free connection if all are busy, but the whole call, that wait included,
    /// ends within ``HTTPClientOptions/totalTimeout`` (``CurlError/Kind-swift.enum/timedOut``);
    /// when ``HTTPClientOptions/maxQueued`` requests already wait, it fails at once the same
    /// way. Cancelling the calling task stops the request (``CurlError/Kind-swift.enum/other``,
    /// "request cancelled").
    public func perform(_ request: HTTPRequest) async throws(CurlError) -> HTTPResponse {
        do throws(CurlError) {
            try request.validate()
        } catch {
            throw error.about(request)
        }
        if Task.isCancelled { throw CurlError.cancelled().about(request) }
        let cancellation = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let job = CurlJob(request: request, cancellation: cancellation, continuation: continuation,
                                  deadline: .now + options.totalTimeout)
                switch queue.enqueue(job) {
                case .queued(let timer):
                    if let timer { HTTPClient.expireWaiting(in: queue, at: timer) }
                case .closed:
                    job.finish(.failure(CurlError.shutdown.about(request)))
                case .full:
                    job.finish(.failure(CurlError(kind: .timedOut, message: "too many requests are waiting for a connection")
                        .about(request)))
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }

    /// Stops the client: waiting requests and those in flight fail with
    /// ``CurlError/Kind-swift.enum/shutdown`` (in-flight ones within about a second),
    /// later ``perform(_:)`` calls fail the same way, and each worker thread frees its
    /// libcurl handle and exits. Returns without waiting for the threads. Idempotent;
    /// also called on deinit.
    public func shutdown() {
        for job in queue.close() {
            job.finish(.failure(CurlError.shutdown.about(job.request)))
        }
    }

    /// When no worker took a job by its deadline, answers it then (the worker skips it later),
    /// and watches the next waiting job the same way (`JobQueue.Admission`).
    private static func expireWaiting(in queue: JobQueue, at deadline: ContinuousClock.Instant) {
        let delay = max(.zero, deadline - .now)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay.curlMilliseconds)) {
            let (expired, next) = queue.expireOverdue(now: .now)
            for job in expired {
                job.finish(.failure(CurlError(kind: .timedOut, message: "no connection became free within the timeout")
                    .about(job.request)))
            }
            if let next { expireWaiting(in: queue, at: next) }
        }
    }

    /// Worker threads still running (tests check that shutdown ends them).
    var runningWorkers: Int { queue.runningWorkers }

    var queueForTesting: JobQueue { queue }
}
