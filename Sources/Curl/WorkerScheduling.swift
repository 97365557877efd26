#if canImport(Glibc)
import Glibc
#endif

/// The scheduling policy of threads that do blocking work for the event loops (the libcurl
/// driver here, the SQLite read threads in the adapters).
///
/// Why: on Linux a thread that wakes (the driver when a transfer's answer arrived, a read thread
/// handed a query) preempts the thread running on its core, and on a machine with as many
/// loops as cores that is an event loop in the middle of its tick. `SCHED_BATCH` keeps the
/// thread's fair share of CPU but drops its wake-up preemption: it runs when a loop waits for
/// I/O or at the scheduler's next tick, and the loop finishes what it was doing first
/// (BENCHMARKS.md, "Issue 14", session 24). Elsewhere it does nothing.
public enum WorkerScheduling {
    /// Makes the calling thread a batch thread. Failure (a sandbox that forbids it) is
    /// harmless: the thread keeps the normal policy.
    public static func yieldToEventLoops() {
        #if os(Linux)
        var parameters = sched_param(sched_priority: 0)
        _ = sched_setscheduler(0, schedBatch, &parameters)
        #endif
    }

    /// `SCHED_BATCH` of `<linux/sched.h>`, which Glibc declares only under `_GNU_SOURCE`.
    private static let schedBatch: Int32 = 3
}
