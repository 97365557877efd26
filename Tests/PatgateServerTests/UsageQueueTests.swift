import Logging
import PatgateAdapters
import PatgateCore
import PatgateTestSupport
import ServiceLifecycle
import Synchronization
import Testing
@testable import PatgateServer

/// The background usage recorder: every accepted use reaches the store and the audit log,
/// batched into a few transactions, and the ones still queued at the stop are written.
@Suite struct UsageQueueTests {
    final class Lines: AuditLog {
        let events = Mutex<[AuditEvent]>([])
        func record(_ event: AuditEvent) { events.withLock { $0.append(event) } }
    }

    @Test func queuedUsesAreWrittenInBatchesAndAtTheStop() async throws {
        let store = SQLitePATStore(database: try SQLiteDatabase(path: TemporaryPath.path("usage") + ".sqlite"))
        var tokens: [PersonalAccessToken] = []
        for index in 0..<1_200 {
            let token = PersonalAccessToken(id: "t\(index)", owner: "alice", name: "n\(index)", scopes: ["openid"], createdAt: 1)
            try await store.insert(token, valueHash: [UInt8(index % 256), UInt8(index / 256)])
            tokens.append(token)
        }
        let audit = Lines()
        let queue = UsageQueue(recorder: UsageRecorder(store: store, audit: audit, now: { 5_000 }),
                               logger: Logger(label: "test"), capacity: 1_100, batchLimit: 500)
        for token in tokens { queue.record(token, address: "192.0.2.1") }   // 100 over the capacity
        queue.record(tokens[0], address: "192.0.2.1")                       // throttled: once a minute

        let group = ServiceGroup(configuration: .init(services: [queue], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(200))
            queue.record(tokens[1_150], address: "192.0.2.2")   // room again: accepted
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }

        let used = try await store.list(owner: "alice").filter { $0.lastUsedAt == 5_000 }
        #expect(used.count == 1_101)
        #expect(try await store.find(id: "t1150")?.lastUsedAddress == "192.0.2.2")
        #expect(try await store.find(id: "t1199")?.lastUsedAt == nil)   // dropped when the queue was full
        #expect(audit.events.withLock { $0.filter { $0.kind == .patUsed }.count } == 1_101)
    }
}
