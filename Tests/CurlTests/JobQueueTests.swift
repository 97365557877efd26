@testable import Curl
import Synchronization
import Testing

/// One deadline timer watches all waiting jobs (`JobQueue.Admission`): only the job that finds
/// no free slot and no timer arms one, and each firing expires the jobs that are due and
/// names the next deadline.
@Suite struct JobQueueTests {
    @Test func oneTimerWatchesEveryWaitingJob() async throws {
        let queue = JobQueue(wake: {})   // no driver runs: every job waits
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
                while admissions.values.count < index + 1 { await Task.yield() }
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

    /// The driver is woken only when it may be waiting with a free slot: once per idle spell,
    /// not once per job, and not while every slot is busy.
    @Test func aJobWakesTheDriverOnlyWhenItHasAFreeSlotAndNoJob() async throws {
        let wakes = Atomic<Int>(0)
        let queue = JobQueue(wake: { wakes.add(1, ordering: .relaxed) })
        var answered: [CurlJob] = []
        func enqueue(_ name: String) async {
            _ = await withCheckedContinuation { continuation in
                let job = CurlJob(request: HTTPRequest(url: "http://127.0.0.1:9/\(name)"), cancellation: CancellationFlag(),
                                  continuation: continuation, deadline: .now + .seconds(60))
                _ = queue.enqueue(job)
                job.finish(.failure(CurlError(kind: .other, message: "test")))   // only the queue's bookkeeping matters here
            }
        }
        await enqueue("before the driver looked")
        #expect(wakes.load(ordering: .relaxed) == 0, "a driver that has not looked yet needs no wake-up")
        answered += queue.admit(upTo: 2)
        #expect(answered.count == 1)
        await enqueue("first while idle")
        await enqueue("second while idle")
        #expect(wakes.load(ordering: .relaxed) == 1, "one wake-up per idle spell")
        answered += queue.admit(upTo: 2)
        #expect(answered.count == 3 && queue.waiting == 0)
        await enqueue("all slots busy")
        #expect(wakes.load(ordering: .relaxed) == 1, "a driver with no free slot takes the job when a transfer ends")
        _ = queue.admit(upTo: 0)
        await enqueue("still busy")
        #expect(wakes.load(ordering: .relaxed) == 1)
        #expect(queue.close().count == 2)
        #expect(wakes.load(ordering: .relaxed) == 2, "closing wakes the driver")
        #expect(queue.admit(upTo: 4).isEmpty)
    }

    /// A job its deadline already answered is dropped, not started, and does not use a slot.
    @Test func theDriverSkipsAJobItsDeadlineAnswered() async throws {
        let queue = JobQueue(wake: {})
        let result = await withCheckedContinuation { continuation in
            let job = CurlJob(request: HTTPRequest(url: "http://127.0.0.1:9/late"), cancellation: CancellationFlag(),
                              continuation: continuation, deadline: .now - .seconds(1))
            _ = queue.enqueue(job)
            queue.expireOverdue(now: .now).expired.forEach { $0.finish(.failure(CurlError(kind: .timedOut, message: "expired"))) }
        }
        #expect((try? result.get()) == nil)
        #expect(queue.admit(upTo: 1).isEmpty)
        #expect(queue.waiting == 0)
        _ = queue.close()
    }
}

/// Values appended from concurrent tasks.
private final class Recorded<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(_ value: Value) { storage.withLock { $0.append(value) } }

    var values: [Value] { storage.withLock { $0 } }
}
