@testable import Curl
import Synchronization
import Testing

/// One deadline timer watches all waiting jobs (`JobQueue.Admission`): only the job that finds
/// no parked worker and no timer arms one, and each firing expires the jobs that are due and
/// names the next deadline.
@Suite struct JobQueueTests {
    @Test func oneTimerWatchesEveryWaitingJob() async throws {
        let queue = JobQueue(workerCount: 1)   // no worker thread runs: every job waits
        // In the past, as a job's deadline is by the time a timer expires it.
        let start = ContinuousClock.now - .seconds(10)
        let deadlines = [1_000, 1_100, 1_200].map { start + .milliseconds($0) }
        let admissions = Recorded<JobQueue.Admission>()
        let finished = Recorded<Int>()
        await withTaskGroup(of: Void.self) { group in
            for (index, deadline) in deadlines.enumerated() {
                group.addTask {
                    let result = await withCheckedContinuation { continuation in
                        let job = CurlJob(request: HTTPRequest(url: "http://127.0.0.1:9/\(index)"), cancellation: CancellationFlag(),
                                          continuation: continuation, deadline: deadline)
                        let admission = queue.enqueue(job)
                        admissions.append(admission)
                    }
                    if case .failure(let error) = result, error.kind == .timedOut { finished.append(index) }
                }
                while queue.waiting < index + 1 { await Task.yield() }
            }
            let armed = admissions.values.map { admission -> ContinuousClock.Instant? in
                if case .queued(let timer) = admission { return timer }
                return nil
            }
            #expect(armed == [deadlines[0], nil, nil])

            let first = queue.expireOverdue(now: deadlines[0] + .milliseconds(50))
            #expect(first.expired.count == 1)
            #expect(first.next == deadlines[1])
            first.expired.forEach { $0.finish(.failure(CurlError(kind: .timedOut, message: "test"))) }

            let rest = queue.expireOverdue(now: deadlines[2])
            #expect(rest.expired.count == 2)
            #expect(rest.next == nil)
            rest.expired.forEach { $0.finish(.failure(CurlError(kind: .timedOut, message: "test"))) }
            #expect(queue.expireOverdue(now: deadlines[2]).expired.isEmpty, "an expired job is answered once")
        }
        #expect(finished.values.sorted() == [0, 1, 2])
        // Disarmed once nothing waited: the next job that must wait arms a timer again.
        let again = await withCheckedContinuation { continuation in
            let job = CurlJob(request: HTTPRequest(url: "http://127.0.0.1:9/again"), cancellation: CancellationFlag(),
                              continuation: continuation, deadline: .now)
            if case .queued(let timer) = queue.enqueue(job), timer != nil {
                queue.expireOverdue(now: .now).expired.forEach { $0.finish(.failure(CurlError(kind: .timedOut, message: "armed"))) }
            } else {
                job.finish(.failure(CurlError(kind: .other, message: "not armed")))
            }
        }
        #expect((try? again.get()) == nil)
        if case .failure(let error) = again { #expect(error.message == "armed") }
        _ = queue.close()
    }
}

/// Values appended from concurrent tasks.
private final class Recorded<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(_ value: Value) { storage.withLock { $0.append(value) } }

    var values: [Value] { storage.withLock { $0 } }
}
