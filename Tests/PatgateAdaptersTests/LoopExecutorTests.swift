import Foundation
import NIOCore
import NIOPosix
import PatgateAdapters
import Testing

/// A task that prefers a `LoopExecutor` comes back to that loop however it is resumed: from a
/// plain thread (as the libcurl driver or a store read thread resumes it), or from the other loop.
@Suite struct LoopExecutorTests {
    @Test func aTaskResumedFromAnotherThreadRunsOnItsLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let other = group.next()
        #expect(loop !== other)
        let places = await withTaskExecutorPreference(LoopExecutor(loop)) { () async -> [Bool] in
            var places = [loop.inEventLoop]
            await withCheckedContinuation { (resumed: CheckedContinuation<Void, Never>) in
                Thread { resumed.resume() }.start()
            }
            places.append(loop.inEventLoop)
            await withCheckedContinuation { (resumed: CheckedContinuation<Void, Never>) in
                other.execute { resumed.resume() }
            }
            places.append(loop.inEventLoop)
            return places
        }
        #expect(places == [true, true, true])
        try await group.shutdownGracefully()
    }

    @Test func currentIsTheRunningLoopsAndNilElsewhere() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        #expect(LoopExecutor.current == nil)
        for loop in [group.next(), group.next()] {
            let (same, again) = try await loop.submit { (LoopExecutor.current?.loop === loop, LoopExecutor.current === LoopExecutor.current) }.get()
            #expect(same)
            #expect(again, "one executor per loop thread, not one per call")
        }
        try await group.shutdownGracefully()
    }
}
