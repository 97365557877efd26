import Logging
import PatgateCore
import PatgateTestSupport
import Synchronization
import Testing
@testable import PatgateAdapters

/// A revocation source whose events, failures and gaps a test scripts; it records the
/// positions it was asked from.
final class ScriptedRevocationSource: RevocationSource {
    struct Down: Error {}
    struct Script {
        var events: [RevocationEvent] = []
        var down = false
        var gapAt: Int64?
        var askedAfter: [Int64] = []
    }

    let script = Mutex(Script())

    func revoke(_ kind: RevocationEvent.Kind, _ subject: String) {
        script.withLock { $0.events.append(RevocationEvent(sequence: Int64($0.events.count + 1), kind: kind, subject: subject, at: 1)) }
    }

    func revocations(after sequence: Int64, limit: Int) async throws -> [RevocationEvent] {
        try script.withLock { script in
            script.askedAfter.append(sequence)
            if script.down { throw Down() }
            if let latest = script.gapAt { throw RevocationGap(latest: latest) }
            return Array(script.events.filter { $0.sequence > sequence }.prefix(limit))
        }
    }

    func latestRevocation() async throws -> Int64 {
        try script.withLock { script in
            if script.down { throw Down() }
            return Int64(script.events.count)
        }
    }
}

@Suite struct RevocationWatcherTests {
    let source = ScriptedRevocationSource()
    let upstream = CountingUpstream(delay: .zero)

    func watcher() throws -> (RevocationWatcher, CachingTokenValidator) {
        let cache = try CachingTokenValidator(upstream: upstream, settings: .init(positiveTTL: 600, negativeTTL: 5))
        return (RevocationWatcher(source: source, cache: cache, logger: TestEnvironment.quietLogger("watcher")), cache)
    }

    /// Caches the answers for `good-<name>:…` tokens (subject `good-<name>`, id `id-<token>`).
    func fill(_ cache: CachingTokenValidator, _ tokens: String...) async throws {
        for token in tokens { _ = try await cache.validate(token) }
    }

    @Test func theFirstReadEmptiesTheCacheThenEventsPurgeWhatTheyName() async throws {
        let (watcher, cache) = try watcher()
        source.revoke(.token, "before-start")
        try await fill(cache, "good-a:1")
        #expect(await watcher.catchUp())
        #expect(cache.count == 0)                         // may predate revocations made before the start
        #expect(watcher.lastApplied == 1)
        #expect(watcher.status == .live)

        try await fill(cache, "good-a:1", "good-a:2", "good-b:1")
        source.revoke(.token, "id-good-a:1")
        source.revoke(.user, "good-b")
        let rung = watcher.applied.generation
        await watcher.catchUp()
        #expect(cache.count == 1)                         // good-a:2 stays
        #expect(watcher.lastApplied == 3)
        #expect(watcher.applied.generation != rung)       // a feed's long poll would wake
    }

    @Test func afterAnOutageTheWatcherResumesFromTheLastEventItApplied() async throws {
        let (watcher, cache) = try watcher()
        await watcher.catchUp()
        source.revoke(.token, "x")
        await watcher.catchUp()
        source.script.withLock { $0.down = true }
        #expect(await watcher.catchUp() == false)
        #expect(watcher.status == .down)

        try await fill(cache, "good-c:1")
        source.revoke(.token, "id-good-c:1")             // committed while the source was down
        source.script.withLock { $0.down = false; $0.askedAfter = [] }
        #expect(await watcher.catchUp())
        #expect(watcher.status == .live)
        #expect(source.script.withLock { $0.askedAfter.first } == 1)
        #expect(cache.count == 0)
        #expect(watcher.lastApplied == 2)
    }

    @Test func aSourceThatCannotResumeEmptiesTheCacheAndRestartsFromItsPosition() async throws {
        let (watcher, cache) = try watcher()
        for _ in 0..<5 { source.revoke(.token, "old") }
        await watcher.catchUp()
        #expect(watcher.lastApplied == 5)
        try await fill(cache, "good-d:1")
        source.script.withLock { $0.gapAt = 2 }           // e.g. the issuer's store was replaced
        #expect(await watcher.catchUp())
        #expect(cache.count == 0)
        #expect(watcher.lastApplied == 2)                 // its number, even though lower than ours
        #expect(watcher.status == .live)
    }

    @Test func manyEventsAreReadInBatches() async throws {
        let (watcher, cache) = try watcher()
        await watcher.catchUp()
        try await fill(cache, "good-e:1")
        for index in 0..<(RevocationWatcher.batch * 2) { source.revoke(.token, "bulk-\(index)") }
        source.revoke(.token, "id-good-e:1")
        await watcher.catchUp()
        #expect(watcher.lastApplied == Int64(RevocationWatcher.batch * 2 + 1))
        #expect(cache.count == 0)
    }
}

/// The running watcher: with an hour between polls, only a wake (a PostgreSQL notification)
/// or a push channel coming back can explain a read.
@Suite struct RevocationWatcherRunTests {
    let source = ScriptedRevocationSource()

    /// Waits (at most ten seconds) until `condition` holds; returns whether it did.
    func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<2_000 where !condition() { try? await Task.sleep(for: .milliseconds(5)) }
        return condition()
    }

    @Test func aWakeReadsAtOnceAndAPushChannelThatIsBackCatchesUp() async throws {
        let cache = try CachingTokenValidator(upstream: CountingUpstream(delay: .zero),
                                              settings: .init(positiveTTL: 600, negativeTTL: 5))
        let watcher = RevocationWatcher(source: source, cache: cache, interval: .seconds(3_600),
                                        pushInterval: .seconds(3_600), logger: TestEnvironment.quietLogger("watcher"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run() }
            #expect(await eventually { watcher.lastApplied == 0 })          // the first read
            _ = try await cache.validate("good-f:1")
            source.revoke(.token, "id-good-f:1")
            watcher.wake()
            #expect(await eventually { watcher.lastApplied == 1 })
            #expect(cache.count == 0)

            watcher.pushChannel(isLive: false)                              // the listener lost its connection…
            source.revoke(.token, "while-not-listening")
            watcher.pushChannel(isLive: true)                               // …and listens again: catch up
            #expect(await eventually { watcher.lastApplied == 2 })
            group.cancelAll()
        }
    }
}

@Suite struct WakeSignalTests {
    @Test func aRingWakesEveryWaiter() async {
        let signal = WakeSignal()
        let generation = signal.generation
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { await signal.wait(beyond: generation, upTo: .seconds(3_600)) } }
            // The waiters return only once rung: an hour-long wait that ends proves the ring.
            while signal.waiting < 3 { await Task.yield() }
            signal.ring()
        }
        #expect(signal.generation == generation + 1)
    }

    @Test func aRingBeforeTheWaitIsNotLost() async {
        let signal = WakeSignal()
        let generation = signal.generation
        signal.ring()
        await signal.wait(beyond: generation, upTo: .seconds(3_600))
    }

    @Test func cancellationEndsTheWait() async {
        let signal = WakeSignal()
        let generation = signal.generation
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await signal.wait(beyond: generation, upTo: .seconds(3_600)) }
            while signal.waiting < 1 { await Task.yield() }
            group.cancelAll()
        }
        #expect(signal.waiting == 0)
    }
}
