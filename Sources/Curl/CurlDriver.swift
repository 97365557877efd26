import Foundation

/// The one OS thread that runs every transfer of an ``HTTPClient``: it drives a ``MultiHandle``
/// with up to ``HTTPClientOptions/connections`` transfers at once, each on an ``EasyHandle`` it
/// reuses, and answers each ``CurlJob`` as soon as libcurl reports it done.
///
/// Why one thread driving `curl_multi` and not a thread per connection blocked in
/// `curl_easy_perform`: under load, one wait (``MultiHandle/wait(milliseconds:)``) collects the
/// answers of several transfers, where each worker thread slept and woke once per request
/// (BENCHMARKS.md, "Issue 14", session 25). Like the threads it keeps blocking work off the
/// Swift cooperative pool and the NIO event loops (invariant 6 in docs/ARCHITECTURE.md), and
/// the multi handle's connection cache keeps connections alive between requests.
///
/// Nothing but ``JobQueue/enqueue(_:)``, a cancellation and ``JobQueue/close()`` needs the
/// thread to wake: each calls ``MultiHandle/wakeup()``. Every libcurl callback runs here.
final class CurlDriver {
    private let multi: MultiHandle
    private let queue: JobQueue
    private let options: HTTPClientOptions
    /// Handles with no transfer. Handles are made when no idle one is left, so at most
    /// `options.connections` exist.
    private var idle: [EasyHandle] = []
    private var running: [UnsafeMutableRawPointer: Transfer] = [:]

    /// Starts the thread; it runs until the queue is closed, then stops what still runs.
    static func start(multi: MultiHandle, queue: JobQueue, options: HTTPClientOptions) {
        queue.driverStarted()
        let thread = Thread {
            Thread.current.name = "patgate-curl"  // shows in `top -H` and debuggers
            WorkerScheduling.yieldToEventLoops()
            queue.driverRuns(onThread: currentThreadID())
            CurlDriver(multi: multi, queue: queue, options: options).run()
            queue.driverExited()
        }
        thread.start()
    }

    /// This thread's Linux id ("PID/task/TID" is where `/proc/thread-self` points), 0 if unknown.
    private static func currentThreadID() -> Int32 {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        return path.split(separator: "/").last.flatMap { Int32($0) } ?? 0
    }

    private init(multi: MultiHandle, queue: JobQueue, options: HTTPClientOptions) {
        self.multi = multi
        self.queue = queue
        self.options = options
    }

    private func run() {
        while !queue.isClosed {
            var freed = startAdmittedJobs()
            freed += stopCancelledTransfers()
            multi.runDueTimers()
            freed += answerFinishedTransfers()
            // A freed slot may take a waiting job at once. Otherwise wait; the second is a
            // backstop only, as every event that needs this thread wakes it.
            if freed == 0 { multi.wait(milliseconds: 1_000) }
        }
        for transfer in Array(running.values) {
            stop(transfer, with: .shutdown)
        }
        idle.removeAll()
    }

    /// Starts the jobs waiting in the queue, as many as there are free slots. Returns how
    /// many could not start (each answered with why), as their slots are free again.
    private func startAdmittedJobs() -> Int {
        var failed = 0
        for job in queue.admit(upTo: options.connections - running.count) {
            guard let handle = idle.popLast() ?? EasyHandle() else {
                job.finish(.failure(CurlError(kind: .other, message: "curl_easy_init failed").about(job.request)))
                failed += 1
                continue
            }
            do throws(CurlError) {
                running[handle.raw] = try Transfer(job: job, handle: handle, options: options, in: multi)
            } catch {
                idle.append(handle)
                job.finish(.failure(error))
                failed += 1
            }
        }
        return failed
    }

    /// Stops the transfers whose caller was cancelled; returns how many.
    private func stopCancelledTransfers() -> Int {
        var cancelled: [Transfer] = []
        for transfer in running.values where transfer.job.cancellation.isCancelled {
            cancelled.append(transfer)
        }
        for transfer in cancelled {
            stop(transfer, with: .cancelled())
        }
        return cancelled.count
    }

    /// Answers every transfer libcurl reports done; returns how many.
    private func answerFinishedTransfers() -> Int {
        var answered = 0
        while let (easy, code) = multi.nextFinished() {
            guard let transfer = running[easy] else { continue }
            let result = transfer.result(of: code)  // read before `retire` resets the handle
            retire(transfer)
            transfer.job.finish(result)
            answered += 1
        }
        return answered
    }

    private func stop(_ transfer: Transfer, with error: CurlError) {
        retire(transfer)
        transfer.job.finish(.failure(error.about(transfer.job.request)))
    }

    /// Takes `transfer` out of the multi handle and gives its handle back to `idle`, reset.
    private func retire(_ transfer: Transfer) {
        running[transfer.handle.raw] = nil
        multi.remove(transfer.handle)
        transfer.release()
        idle.append(transfer.handle)
    }
}
