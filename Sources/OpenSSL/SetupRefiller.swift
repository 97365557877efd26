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
    static let shared = SetupRefiller()

    private let waiting = Mutex<[ECDSASetupPool]>([])
    private let signal = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    /// Set when the process exits; held while a set-up is made.
    private let exiting = Mutex<Bool>(false)

    private init() {
        sem_init(signal, 0, 0)
        // OpenSSL frees its global state (random generators, locks) in an exit handler; one
        // registered later runs before it and waits for the set-up in progress, after which
        // this thread makes no more. Without it the thread crashed the exit it outlived.
        atexit { SetupRefiller.shared.exiting.withLock { $0 = true } }
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            SetupRefiller.shared.run()
            return nil
        }, nil)
        if started == 0 { pthread_detach(thread) }
    }

    /// Runs `body`, which calls OpenSSL, unless the process is exiting; `false` once it is.
    func unlessExiting(_ body: () -> Void) -> Bool {
        exiting.withLock { exiting in
            guard !exiting else { return false }
            body()
            return true
        }
    }

    /// Queues `pool` to be filled.
    func refill(_ pool: ECDSASetupPool) {
        waiting.withLock { $0.append(pool) }
        sem_post(signal)
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
            while let pool = waiting.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                pool.fill()
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
