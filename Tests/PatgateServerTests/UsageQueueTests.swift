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
                               logger: Logger(label: "test"), capacity: 1_100, batchLimit: 500, linger: .milliseconds(50))
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

    /// Uses that come while the writer lingers go in one transaction: the recorder reads its
    /// clock once per batch (and once per claim), so the `pat.used` lines of one batch share a
    /// time and those of two batches do not.
    @Test func usesArrivingWhileTheWriterLingersShareOneTransaction() async throws {
        let store = SQLitePATStore(database: try SQLiteDatabase(path: TemporaryPath.path("linger") + ".sqlite"))
        let clock = Atomic<Int64>(1_000)
        let audit = Lines()
        let queue = UsageQueue(recorder: UsageRecorder(store: store, audit: audit, now: { clock.add(1, ordering: .relaxed).newValue }),
                               logger: Logger(label: "test"), linger: .milliseconds(400))
        let tokens = (0..<3).map { PersonalAccessToken(id: "t\($0)", owner: "alice", name: "n\($0)", scopes: [], createdAt: 1) }
        let group = ServiceGroup(configuration: .init(services: [queue], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for token in tokens {
                queue.record(token, address: nil)
                try await Task.sleep(for: .milliseconds(30))
            }
            for _ in 0..<500 where audit.events.withLock({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(10)) }
            queue.record(PersonalAccessToken(id: "late", owner: "alice", name: "late", scopes: [], createdAt: 1), address: nil)
            await group.triggerGracefulShutdown()   // while the writer lingers: still written
            try await tasks.waitForAll()
        }
        let times = audit.events.withLock { $0.map { ($0.target, $0.time) } }
        #expect(times.map(\.0) == ["t0", "t1", "t2", "late"])
        #expect(Set(times.prefix(3).map(\.1)).count == 1)
        #expect(times[3].1 != times[0].1)
    }

    /// A stop does not wait out the writer's linger: a use queued just before it is written at
    /// once, and the service ends (a linger of a minute here; the default is a second).
    @Test func aStopEndsTheLingerAndWritesWhatIsQueued() async throws {
        let store = SQLitePATStore(database: try SQLiteDatabase(path: TemporaryPath.path("stop") + ".sqlite"))
        let token = PersonalAccessToken(id: "t0", owner: "alice", name: "n0", scopes: [], createdAt: 1)
        try await store.insert(token, valueHash: Array(repeating: 7, count: 32))
        let audit = Lines()
        let queue = UsageQueue(recorder: UsageRecorder(store: store, audit: audit, now: { 9_000 }),
                               logger: Logger(label: "test"), linger: .seconds(60))
        let group = ServiceGroup(configuration: .init(services: [queue], logger: Logger(label: "test")))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            queue.record(token, address: "192.0.2.7")
            try await Task.sleep(for: .milliseconds(200))   // the writer is woken and lingers
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(ContinuousClock.now - started < .seconds(30), "the stop waited out the linger")
        #expect(try await store.find(id: "t0")?.lastUsedAt == 9_000)
        #expect(audit.events.withLock { $0.map(\.target) } == ["t0"])
    }
}
