import Dispatch
import Synchronization

/// The locked FIFO between callers and the worker threads. A `Mutex` guards the jobs;
/// a counting semaphore, signalled once per job and once per worker at close, parks
/// idle workers without spinning.
final class JobQueue: Sendable {
    private struct State {
        var jobs: [CurlJob] = []
        var head = 0
        var closed = false
        /// Workers parked in ``next()`` and not yet holding a job.
        var idleWorkers = 0
        /// A deadline timer is pending (see ``Admission``).
        var timerArmed = false

        mutating func popFirst() -> CurlJob? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head == jobs.count || head >= 64 && head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    private let closedFlag = Atomic<Bool>(false)
    private let liveWorkers = Atomic<Int>(0)
    private let workerCount: Int
    /// The most jobs that may wait (expired ones count until a worker drops them).
    private let limit: Int

    init(workerCount: Int, limit: Int = .max) {
        self.workerCount = workerCount
        self.limit = limit
    }

    enum Admission {
        /// `armTimer`: the caller must call ``expireOverdue(now:)`` at that instant. One timer
        /// watches every waiting job, not one per job (each a wake-up of Dispatch's timer
        /// thread): jobs wait in FIFO order with one timeout, so the oldest is due first. None
        /// is armed while a parked worker will take the job at once; the transfer's own
        /// timeout is then what is left of the deadline (`Transfer`).
        case queued(armTimer: ContinuousClock.Instant?), closed, full
    }

    /// True once ``close()`` ran; read by running transfers to abort.
    var isClosed: Bool { closedFlag.load(ordering: .acquiring) }

    /// Jobs waiting for a worker (expired ones included until a worker drops them).
    var waiting: Int { state.withLock { $0.jobs.count - $0.head } }

    /// Worker threads that have not exited (and so may still hold a curl handle).
    var runningWorkers: Int { liveWorkers.load(ordering: .acquiring) }

    /// Queues `job`, unless the queue is closed or full.
    func enqueue(_ job: CurlJob) -> Admission {
        let admission: Admission = state.withLock { state in
            guard !state.closed else { return .closed }
            guard state.jobs.count - state.head < limit else { return .full }
            state.jobs.append(job)
            // FIFO: the first `idleWorkers` waiting jobs each have a parked worker.
            guard !state.timerArmed, state.jobs.count - state.head > state.idleWorkers else { return .queued(armTimer: nil) }
            state.timerArmed = true
            return .queued(armTimer: job.deadline)
        }
        if case .queued = admission { available.signal() }
        return admission
    }

    /// Blocks the calling worker thread until a job arrives that its deadline has not
    /// answered yet (the worker then owns it); nil once closed.
    func next() -> CurlJob? {
        while true {
            state.withLock { $0.idleWorkers += 1 }
            available.wait()
            let (job, closed) = state.withLock { state in
                state.idleWorkers -= 1
                return (state.closed ? nil : state.popFirst(), state.closed)
            }
            if let job {
                if job.claim.take() { return job }
                continue   // expired while waiting: already answered
            }
            if closed { return nil }
        }
    }

    /// Answers for the waiting jobs whose deadline has passed: returns those it expired (the
    /// caller finishes them) and when to call again, or nil (and disarms) if no job waits.
    func expireOverdue(now: ContinuousClock.Instant) -> (expired: [CurlJob], next: ContinuousClock.Instant?) {
        state.withLock { state in
            var expired: [CurlJob] = []
            for job in state.jobs[state.head...] {
                guard job.deadline <= now else { return (expired, job.deadline) }
                if job.claim.expire() { expired.append(job) }   // else a worker has it, or it expired before
            }
            state.timerArmed = false
            return (expired, nil)
        }
    }

    /// Closes the queue: later ``enqueue(_:)`` calls are refused, every worker wakes and
    /// exits after its current job. Returns the jobs that were still waiting.
    func close() -> [CurlJob] {
        let pending: [CurlJob]? = state.withLock { state in
            guard !state.closed else { return nil }
            state.closed = true
            let pending = Array(state.jobs[state.head...])
            state.jobs = []
            state.head = 0
            return pending
        }
        guard let pending else { return [] }
        closedFlag.store(true, ordering: .releasing)
        for _ in 0..<workerCount { available.signal() }
        return pending.filter { $0.claim.take() }
    }

    func workerStarted() { liveWorkers.add(1, ordering: .acquiringAndReleasing) }

    func workerExited() { liveWorkers.subtract(1, ordering: .acquiringAndReleasing) }
}
