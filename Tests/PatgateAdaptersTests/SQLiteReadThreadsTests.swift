import Foundation
@testable import PatgateAdapters
import PatgateTestSupport
import Testing

/// The SQLite read threads are batch threads (`WorkerScheduling`): handed a read, one does not
/// preempt the event loop that handed it.
@Suite struct SQLiteReadThreadsTests {
    @Test func readsAndLookupsRunOnBatchThreads() async throws {
        let database = try SQLiteDatabase(path: TemporaryPath.path("patgate") + ".sqlite")
        for _ in 0..<8 {
            #expect(try await database.lookup { _ in sched_getscheduler(0) } == 3)   // SCHED_BATCH
            #expect(try await database.read { _ in sched_getscheduler(0) } == 3)
        }
    }
}
