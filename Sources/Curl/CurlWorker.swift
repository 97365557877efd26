import Foundation

/// A dedicated OS thread that owns one ``EasyHandle`` for its whole life and runs the
/// blocking `curl_easy_perform` for jobs it takes from the ``JobQueue``.
///
/// Why threads and not one thread driving `curl_multi`: the gateway needs a handful of
/// concurrent upstream calls, not thousands; a thread per handle keeps each transfer a
/// plain blocking call with no socket-event loop or wake-up pipe to get right, keeps
/// blocking work off the Swift cooperative pool and the NIO event loops (invariant 6 in
/// docs/ARCHITECTURE.md), and reusing each thread's handle keeps its connections alive
/// between requests.
enum CurlWorker {
    /// Starts one worker thread; it runs until the queue is closed.
    static func start(index: Int, queue: JobQueue, options: HTTPClientOptions) {
        queue.workerStarted()
        let name = "patgate-curl-\(index)"
        let thread = Thread {
            Thread.current.name = name  // shows in `top -H` and debuggers
            WorkerScheduling.yieldToEventLoops()
            run(queue: queue, options: options)
            queue.workerExited()
        }
        thread.start()
    }

    private static func run(queue: JobQueue, options: HTTPClientOptions) {
        // Created here, used only here, freed when this function returns.
        var handle: EasyHandle? = nil
        while let job = queue.next() {
            if handle == nil { handle = EasyHandle() }
            guard let handle else {
                job.finish(.failure(CurlError(kind: .other, message: "curl_easy_init failed").about(job.request)))
                continue
            }
            job.finish(Transfer(handle: handle, options: options, queue: queue).run(job))
        }
        handle = nil
    }
}
