import Dispatch

/// A small, safe HTTP/1.1 and HTTP/2 client over libcurl.
///
/// Requests run on one dedicated thread (``CurlDriver``) that drives libcurl's multi
/// interface, never on the Swift cooperative pool or an event loop; at most
/// ``HTTPClientOptions/connections`` run at once, and connections are kept alive between
/// requests (over HTTP/2, requests in flight share a connection as streams). Redirects are
/// not followed, only `http` and `https` are spoken, and every failure is a ``CurlError``.
/// Only ``HTTPClientOptions/proxy`` names a proxy: the `http_proxy`/`https_proxy`
/// environment is ignored.
///
/// ```swift
/// let client = try HTTPClient(options: .init(totalTimeout: .seconds(3)))
/// let response = try await client.perform(HTTPRequest(url: "https://idp/introspect",
///     headers: [("Authorization", "Basic …")], body: Array("token=…".utf8)))
/// ```
public final class HTTPClient: Sendable {
    private let queue: JobQueue
    private let multi: MultiHandle
    private let options: HTTPClientOptions

    /// Starts the driver thread. Throws ``CurlError/Kind-swift.enum/invalidRequest``
    /// for invalid options, or if libcurl cannot be initialised.
    public init(options: HTTPClientOptions = .init()) throws(CurlError) {
        try options.validate()
        try CurlGlobal.ensureInitialised()
        guard let multi = MultiHandle(connections: options.connections) else {
            throw CurlError(kind: .other, message: "curl_multi_init failed (or its wake-up channel)")
        }
        self.options = options
        self.multi = multi
        queue = JobQueue(limit: options.maxQueued, wake: { multi.wakeup() })
        CurlDriver.start(multi: multi, queue: queue, options: options)
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
            multi.wakeup()
        }
        return try result.get()
    }

    /// Stops the client: waiting requests and those in flight fail with
    /// ``CurlError/Kind-swift.enum/shutdown``, later ``perform(_:)`` calls fail the same way,
    /// and the driver thread frees its libcurl handles and exits. Returns without waiting
    /// for the thread. Idempotent;
    /// also called on deinit.
    public func shutdown() {
        for job in queue.close() {
            job.finish(.failure(CurlError.shutdown.about(job.request)))
        }
    }

    /// When the driver did not take a job by its deadline, answers it then (the driver skips it
    /// later),
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

    /// Driver threads still running (tests check that shutdown ends it).
    var runningDrivers: Int { queue.runningDrivers }

    var queueForTesting: JobQueue { queue }
}
