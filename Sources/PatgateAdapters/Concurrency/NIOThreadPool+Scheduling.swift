import Curl
import Dispatch
import NIOPosix
import Synchronization

extension NIOThreadPool {
    /// Gives each of this pool's `threads` threads ``WorkerScheduling``'s policy, without
    /// waiting: one item per thread, each held until all have started, so no thread takes two.
    func yieldToEventLoops(threads: Int) {
        let started = Atomic<Int>(0)
        let allStarted = DispatchSemaphore(value: 0)
        for _ in 0..<threads {
            submit { _ in
                WorkerScheduling.yieldToEventLoops()
                if started.add(1, ordering: .acquiringAndReleasing).newValue == threads {
                    for _ in 1..<threads { allStarted.signal() }
                } else {
                    allStarted.wait()
                }
            }
        }
    }
}
