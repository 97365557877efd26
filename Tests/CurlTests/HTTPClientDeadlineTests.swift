@testable import Curl
import Testing

/// The whole call, its wait for a free connection included, ends within the total timeout, and
/// the queue of waiting calls is bounded (a hung upstream cannot pile up requests).
@Suite struct HTTPClientDeadlineTests {
    @Test func callsWaitingForAWorkerEndWithinTheTotalTimeout() async throws {
        let server = try TestServer { _ in .silent }
        let client = try HTTPClient(options: .init(connectTimeout: .seconds(1), totalTimeout: .milliseconds(600), connections: 1))
        let (errors, seconds) = await elapsed {
            await withTaskGroup(of: CurlError?.self) { group in
                for index in 0..<8 {
                    group.addTask { await curlError { try await client.perform(HTTPRequest(url: server.url + "/hang\(index)")) } }
                }
                return await group.reduce(into: [CurlError?]()) { $0.append($1) }
            }
        }
        #expect(errors.count == 8)
        #expect(errors.allSatisfy { $0?.kind == .timedOut })
        // One connection, eight calls: without the deadline they would take 8 × 0.6 s.
        #expect(seconds < 2.5, "\(seconds) s")
        client.shutdown()
    }

    /// Calls that wait for the only connection from different moments each end at their own
    /// deadline, neither at the first one's nor a whole timeout after it.
    @Test func eachWaitingCallEndsAtItsOwnDeadline() async throws {
        let server = try TestServer { _ in .silent }
        defer { server.stop() }
        let client = try HTTPClient(options: .init(connectTimeout: .seconds(1), totalTimeout: .milliseconds(800), connections: 1))
        let results = await withTaskGroup(of: (Int, CurlError?, Double).self) { group in
            for index in 0..<3 {
                group.addTask {
                    // The first holds the only connection; the second waits from 0 s, the third from 0.4 s.
                    try? await Task.sleep(for: .milliseconds(index == 2 ? 400 : index * 50))
                    let (error, seconds) = await elapsed {
                        await curlError { try await client.perform(HTTPRequest(url: server.url + "/hang\(index)")) }
                    }
                    return (index, error, seconds)
                }
            }
            return await group.reduce(into: [Int: (CurlError?, Double)]()) { $0[$1.0] = ($1.1, $1.2) }
        }
        client.shutdown()
        for index in 0..<3 {
            let (error, seconds) = try #require(results[index])
            #expect(error?.kind == .timedOut, "call \(index)")
            #expect(seconds >= 0.7, "call \(index) ended after \(seconds) s, before its deadline")
            #expect(seconds < 2.5, "call \(index) ended after \(seconds) s")
        }
    }

    @Test func aFullQueueRefusesAtOnce() async throws {
        let server = try TestServer { _ in .silent }
        var options = HTTPClientOptions(connectTimeout: .seconds(1), totalTimeout: .seconds(3), connections: 1)
        options.maxQueued = 1
        let client = try HTTPClient(options: options)
        defer { server.stop() }
        // One call runs on the only connection, one waits; a third finds the queue full.
        let (refused, seconds) = await elapsed {
            await withTaskGroup(of: CurlError?.self) { group in
                group.addTask { await curlError { try await client.perform(HTTPRequest(url: server.url + "/running")) } }
                await until { server.requests.count == 1 }
                group.addTask { await curlError { try await client.perform(HTTPRequest(url: server.url + "/waiting")) } }
                await until { client.queueForTesting.waiting == 1 }
                let extra = await curlError { try await client.perform(HTTPRequest(url: server.url + "/extra")) }
                client.shutdown()
                await group.waitForAll()
                return extra
            }
        }
        #expect(refused?.kind == .timedOut)
        #expect(refused?.message.contains("too many requests") == true)
        #expect(seconds < 2.9)
    }

    /// Polls `condition` for at most five seconds.
    private func until(_ condition: () -> Bool) async {
        for _ in 0..<500 where !condition() {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
