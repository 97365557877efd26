import Synchronization

/// The locked FIFO between callers and the ``CurlDriver`` thread. A `Mutex` guards the jobs;
/// `wake` (the driver's ``MultiHandle/wakeup()``) is called when a job arrives for a driver
/// that has a free handle and may be waiting, and at close.
final class JobQueue: Sendable {
    private struct State {
        var jobs: [CurlJob] = []
        var head = 0
        var closed = false
        /// Transfers the driver could still start, as of its last ``admit(upTo:)``.
        var freeSlots = 0
        /// The driver had a free slot and no job at its last ``admit(upTo:)``: the next job
        /// must wake it.
        var driverWantsJobs = false
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
    private let closedFlag = Atomic<Bool>(false)
    private let liveDrivers = Atomic<Int>(0)
    /// The Linux thread id of the last driver that started, 0 before: tests watch its CPU.
    private let driverThread = Atomic<Int32>(0)
    /// The most jobs that may wait (expired ones count until the driver drops them).
    private let limit: Int
    private let wake: @Sendable () -> Void

    init(limit: Int = .max, wake: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.wake = wake
    }

    enum Admission {
        /// `armTimer`: the caller must call ``expireOverdue(now:)`` at that instant. One timer
        /// watches every waiting job, not one per job (each a wake-up of Dispatch's timer
        /// thread): jobs wait in FIFO order with one timeout, so the oldest is due first. None
        /// is armed while the driver has a free slot for the job; the transfer's own timeout
        /// is then what is left of the deadline (`Transfer`).
        case queued(armTimer: ContinuousClock.Instant?), closed, full
    }

    /// True once ``close()`` ran; the driver then stops its transfers.
    var isClosed: Bool { closedFlag.load(ordering: .acquiring) }

    /// Jobs waiting for a free slot (expired ones included until the driver drops them).
    var waiting: Int { state.withLock { $0.jobs.count - $0.head } }

    /// Driver threads that have not exited (and so may still hold curl handles).
    var runningDrivers: Int { liveDrivers.load(ordering: .acquiring) }

    /// Queues `job`, unless the queue is closed or full.
    func enqueue(_ job: CurlJob) -> Admission {
        let (admission, wakeDriver): (Admission, Bool) = state.withLock { state in
            guard !state.closed else { return (.closed, false) }
            guard state.jobs.count - state.head < limit else { return (.full, false) }
            state.jobs.append(job)
            let wakeDriver = state.driverWantsJobs
            state.driverWantsJobs = false
            // FIFO: the first `freeSlots` waiting jobs each have a slot.
            guard !state.timerArmed, state.jobs.count - state.head > state.freeSlots else {
                return (.queued(armTimer: nil), wakeDriver)
            }
            state.timerArmed = true
            return (.queued(armTimer: job.deadline), wakeDriver)
        }
        if wakeDriver { wake() }
        return admission
    }

    /// For the driver, which has `freeSlots` handles free: takes up to that many waiting jobs
    /// that their deadline has not answered yet (the driver then owns them). With a slot left
    /// over, the next ``enqueue(_:)`` wakes the driver. Nothing once closed.
    func admit(upTo freeSlots: Int) -> [CurlJob] {
        state.withLock { state in
            guard !state.closed else { return [] }
            var admitted: [CurlJob] = []
            while admitted.count < freeSlots, let job = state.popFirst() {
                if job.claim.take() { admitted.append(job) }   // else expired while waiting: already answered
            }
            state.freeSlots = freeSlots - admitted.count
            state.driverWantsJobs = state.freeSlots > 0
            return admitted
        }
    }

    /// Answers for the waiting jobs whose deadline has passed: returns those it expired (the
    /// caller finishes them) and when to call again, or nil (and disarms) if no job waits.
    func expireOverdue(now: ContinuousClock.Instant) -> (expired: [CurlJob], next: ContinuousClock.Instant?) {
        state.withLock { state in
            var expired: [CurlJob] = []
            for job in state.jobs[state.head...] {
                guard job.deadline <= now else { return (expired, job.deadline) }
                if job.claim.expire() { expired.append(job) }   // else the driver has it, or it expired before
            }
            state.timerArmed = false
            return (expired, nil)
        }
    }

    /// Closes the queue: later ``enqueue(_:)`` calls are refused, and the driver wakes, stops
    /// its transfers and exits. Returns the jobs that were still waiting.
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
        wake()
        return pending.filter { $0.claim.take() }
    }

    func driverStarted() { liveDrivers.add(1, ordering: .acquiringAndReleasing) }

    func driverExited() { liveDrivers.subtract(1, ordering: .acquiringAndReleasing) }

    /// Called by the driver on its own thread, with that thread's Linux id.
    func driverRuns(onThread id: Int32) { driverThread.store(id, ordering: .releasing) }

    /// The Linux thread id of the driver, once it runs (0 before).
    var driverThreadID: Int32 { driverThread.load(ordering: .acquiring) }
}
