import Foundation
@testable import Curl
import Testing

/// The libcurl driver is a batch thread (`WorkerScheduling`): when a transfer's answer wakes
/// it, it does not preempt the event loop running on that core.
@Suite struct WorkerSchedulingTests {
    @Test func theDriverThreadOfAClientIsABatchThread() async throws {
        let client = try HTTPClient(options: .init(connections: 3))
        defer { client.shutdown() }
        // The driver sets its policy first thing on its new thread (other tests' clients may
        // run theirs too: all must be batch threads).
        let policies = { Self.policies(ofThreadsNamed: "patgate-curl") }
        #expect(await eventually { policies().count >= 1 && policies().allSatisfy { $0 == Self.batch } }, "\(policies())")
    }

    @Test func aThreadThatYieldsToTheEventLoopsIsABatchThreadAndOthersAreNot() async throws {
        let (before, after) = await withCheckedContinuation { continuation in
            Thread {
                let before = sched_getscheduler(0)
                WorkerScheduling.yieldToEventLoops()
                continuation.resume(returning: (before, sched_getscheduler(0)))
            }.start()
        }
        #expect(before == SCHED_OTHER && after == Self.batch)
        #expect(sched_getscheduler(0) == SCHED_OTHER)
    }

    private static let batch: Int32 = 3   // SCHED_BATCH

    /// The scheduling policy of each thread of this process whose name starts with `prefix`.
    private static func policies(ofThreadsNamed prefix: String) -> [Int32] {
        threadIDs(namedWithPrefix: prefix).map { sched_getscheduler($0) }
    }
}
