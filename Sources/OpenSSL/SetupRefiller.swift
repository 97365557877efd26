import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The one thread that fills the process's `ECDSASetupPool`s, started by the first pool that
/// asks. It runs at Linux's `SCHED_IDLE`: the kernel gives it a core only when nothing else
/// there wants to run, and any other thread that wakes takes the core back at once, so the
/// set-ups use the CPU the requests leave idle and never delay one (docs/ARCHITECTURE.md,
/// "Threads"). On a machine that is never idle the pools stay empty and signatures are made
/// the usual way.
final class SetupRefiller: @unchecked Sendable {
    /// Made by the first pool, which registers the exit handler before any set-up exists.
    static let shared = SetupRefiller()

    /// A pool waiting to be filled; one its key no longer needs is skipped.
    private struct Waiting {
        weak var pool: ECDSASetupPool?
    }

    private let waiting = Mutex<[Waiting]>([])
    private let signal = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private let started = Atomic<Bool>(false)
    /// Set when the process exits; held while a set-up is made.
    private let exiting = Mutex<Bool>(false)
    private static let exited = Atomic<Bool>(false)
    /// Counts `fork`s: a child must never use a set-up its parent also holds.
    private static let forks = Atomic<UInt32>(0)

    private init() {
        sem_init(signal, 0, 0)
        // OpenSSL frees its global state (random generators, locks) in an exit handler; one
        // registered later runs before it and waits for the set-up in progress, after which
        // this thread makes no more. Without it the thread crashed the exit it outlived.
        atexit {
            SetupRefiller.exited.store(true, ordering: .sequentiallyConsistent)
            SetupRefiller.shared.exiting.withLock { $0 = true }
        }
        pthread_atfork(nil, nil) {
            // The child has no refiller thread; it starts its own when a pool asks.
            SetupRefiller.forks.add(1, ordering: .sequentiallyConsistent)
            SetupRefiller.shared.started.store(false, ordering: .sequentiallyConsistent)
        }
    }

    /// Whether the process is exiting: OpenSSL's state may be gone, so nothing may free into it.
    static var isExiting: Bool { exited.load(ordering: .relaxed) }

    /// The process's generation: it changes in a child after `fork`.
    static var generation: UInt32 { forks.load(ordering: .relaxed) }

    /// Runs `body`, which calls OpenSSL, unless the process is exiting; `false` once it is.
    func unlessExiting(_ body: () -> Void) -> Bool {
        exiting.withLock { exiting in
            guard !exiting else { return false }
            body()
            return true
        }
    }

    /// Queues `pool` to be filled; `false` if the queue was busy this instant (the idle thread
    /// may hold its lock, and an event loop must not wait for it), to be asked again later.
    func refill(_ pool: ECDSASetupPool) -> Bool {
        guard waiting.withLockIfAvailable({ $0.append(Waiting(pool: pool)) }) != nil else { return false }
        if !started.exchange(true, ordering: .relaxed) { startThread() }
        sem_post(signal)
        return true
    }

    private func startThread() {
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { _ in
            SetupRefiller.shared.run()
            return nil
        }, nil)
        if created == 0 { pthread_detach(thread) }
    }

    private func run() -> Never {
        // Named for `top -H` (pthread_setname_np needs _GNU_SOURCE, which Glibc's module lacks).
        if let name = fopen("/proc/thread-self/comm", "w") {
            fputs("patgate-ecdsa", name)
            fclose(name)
        }
        Self.runOnlyWhenIdle()
        while true {
            while sem_wait(signal) != 0 {}  // EINTR
            while let next = waiting.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                next.pool?.fill()
            }
        }
    }

    /// Failure (a sandbox that forbids it) leaves the thread at the normal policy, where it
    /// competes with the event loops for the core: slower answers, still correct ones.
    private static func runOnlyWhenIdle() {
        #if os(Linux)
        var parameters = sched_param(sched_priority: 0)
        _ = sched_setscheduler(0, schedIdle, &parameters)
        #endif
    }

    /// `SCHED_IDLE` of `<linux/sched.h>`, which Glibc declares only under `_GNU_SOURCE`.
    private static let schedIdle: Int32 = 5
}
