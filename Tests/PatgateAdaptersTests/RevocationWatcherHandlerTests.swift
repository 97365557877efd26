import Logging
import PatgateTestSupport
import Synchronization
import Testing
@testable import PatgateAdapters
import PatgateCore

/// The watcher hands every batch of revocations to its handlers (the PostgreSQL logins), after
/// the cache (invariant 7 in docs/ARCHITECTURE.md).
@Suite struct RevocationWatcherHandlerTests {
    final class Source: RevocationSource {
        let events = Mutex<[RevocationEvent]>([])
        func append(_ kind: RevocationEvent.Kind, _ subject: String) {
            events.withLock { $0.append(RevocationEvent(sequence: Int64($0.count + 1), kind: kind, subject: subject, at: 0)) }
        }
        func revocations(after sequence: Int64, limit: Int) async throws -> [RevocationEvent] {
            events.withLock { Array($0.filter { $0.sequence > sequence }.prefix(limit)) }
        }
        func latestRevocation() async throws -> Int64 { events.withLock { Int64($0.count) } }
    }

    final class Handler: RevocationHandler {
        let calls = Mutex<[(tokens: Set<String>, users: Set<String>)]>([])
        func revoked(tokenIDs: Set<String>, users: Set<String>) async { calls.withLock { $0.append((tokenIDs, users)) } }
    }

    @Test func eachNewBatchReachesTheHandlersOnce() async throws {
        let source = Source()
        let handler = Handler()
        let cache = try CachingTokenValidator(upstream: CountingUpstream(), settings: .init())
        let watcher = RevocationWatcher(source: source, cache: cache, handlers: [handler], logger: TestEnvironment.quietLogger("watcher"))
        source.append(.token, "before-start")   // predates the first read: the cache is purged, nothing is handed on
        await watcher.catchUp()
        #expect(handler.calls.withLock { $0.isEmpty })

        source.append(.token, "pat-a")
        source.append(.user, "bob")
        source.append(.token, "pat-b")
        await watcher.catchUp()
        await watcher.catchUp()   // nothing new: no call
        let calls = handler.calls.withLock { $0 }
        #expect(calls.count == 1)
        #expect(calls.first?.tokens == ["pat-a", "pat-b"])
        #expect(calls.first?.users == ["bob"])
    }
}
