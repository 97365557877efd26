@testable import Curl
import Glibc
import Testing

/// The driver's wait (`SocketWatch`): it reports the sockets libcurl named once they are ready,
/// returns at once on a wake-up and takes it back, and never lets a socket that can no longer
/// be waited on end every wait. Each wait that must time out is bounded below only, as a busy
/// machine makes a wait longer, never shorter.
@Suite struct SocketWatchTests {
    // libcurl's values (curl/multi.h), which the watch receives from libcurl's callback.
    private let pollIn: Int32 = 1        // CURL_POLL_IN
    private let pollRemove: Int32 = 4    // CURL_POLL_REMOVE
    private let selectIn: Int32 = 1      // CURL_CSELECT_IN
    private let selectError: Int32 = 4   // CURL_CSELECT_ERR

    @Test func aWakeUpEndsTheWaitAtOnceAndIsTakenBack() async throws {
        let watch = try #require(SocketWatch())
        for _ in 0..<3 { watch.wake() }
        let (_, first) = await elapsed { watch.wait(milliseconds: 10_000) { _, _ in } }
        #expect(first < 5)
        let (_, second) = await elapsed { watch.wait(milliseconds: 200) { _, _ in } }
        #expect(second >= 0.15, "every wake-up was taken back, so the next wait lasts its time")
    }

    @Test func aReadableSocketIsReportedUntilLibcurlRemovesIt() async throws {
        let watch = try #require(SocketWatch())
        let (mine, peer) = try Self.socketPair()
        defer { close(mine); close(peer) }
        watch.update(mine, what: pollIn)
        #expect(write(peer, "x", 1) == 1)
        var reported: [(Int32, Int32)] = []
        watch.wait(milliseconds: 10_000) { reported.append(($0, $1)) }
        #expect(reported.count == 1 && reported.first?.0 == mine && reported.first?.1 == selectIn)
        watch.update(mine, what: pollRemove)
        reported.removeAll()
        watch.wait(milliseconds: 100) { reported.append(($0, $1)) }
        #expect(reported.isEmpty)
    }

    /// libcurl hears of the error once (as its own waits report `POLLNVAL`), then the
    /// descriptor is out of the set.
    @Test func aSocketClosedWithoutRemoveIsReportedOnceAsAnErrorThenDropped() async throws {
        let watch = try #require(SocketWatch())
        let (mine, peer) = try Self.socketPair()
        defer { close(peer) }
        watch.update(mine, what: pollIn)
        close(mine)
        var reported: [(Int32, Int32)] = []
        watch.wait(milliseconds: 10_000) { reported.append(($0, $1)) }
        #expect(reported.count == 1 && reported.first?.0 == mine && reported.first?.1 == selectError)
        let (_, seconds) = await elapsed { watch.wait(milliseconds: 200) { reported.append(($0, $1)) } }
        #expect(reported.count == 1)
        #expect(seconds >= 0.15, "the closed socket no longer ends the wait")
    }

    private static func socketPair() throws -> (Int32, Int32) {
        var ends: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0, "socketpair: errno \(errno)")
        return (ends[0], ends[1])
    }
}
