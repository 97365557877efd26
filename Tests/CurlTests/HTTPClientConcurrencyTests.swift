@testable import Curl
import Testing

@Suite("HTTPClient connections, concurrency and lifecycle")
struct HTTPClientConcurrencyTests {
    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try TestServer.echo()
        let client = try HTTPClient(options: .init(connections: 1))
        for index in 0..<20 {
            let body = "request \(index)".bytes
            let response = try await client.perform(HTTPRequest(url: server.url + "/\(index)", body: body))
            #expect(response.body == body)
        }
        #expect(server.requests.count == 20)
        #expect(server.acceptedConnections == 1)
    }

    @Test func fiftyConcurrentRequestsCompleteOnFourConnections() async throws {
        let server = try TestServer.echo(delay: .milliseconds(5))
        let client = try HTTPClient(options: .init(connections: 4))
        let results = try await withThrowingTaskGroup(of: (Int, HTTPResponse).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let body = "concurrent \(index)".bytes
                    return (index, try await client.perform(HTTPRequest(url: server.url + "/c\(index)", body: body)))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 50)
        for (index, response) in results {
            #expect(response.status == 200)
            #expect(response.body == "concurrent \(index)".bytes)
        }
        #expect(server.requests.count == 50)
        #expect(server.acceptedConnections <= 4)
        #expect(server.maxInFlight <= 4)
    }

    @Test func requestsRunInParallelUpToTheConnectionCount() async throws {
        let server = try TestServer.echo(delay: .milliseconds(300))
        let client = try HTTPClient(options: .init(connections: 3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask { _ = try await client.perform(HTTPRequest(url: server.url + "/p\(index)")) }
            }
            try await group.waitForAll()
        }
        #expect(server.maxInFlight >= 2)
        #expect(server.maxInFlight <= 3)
    }

    /// A request on an idle client wakes the driver from its poll: none waits for the poll's
    /// one-second backstop (ten such waits would take about five seconds).
    @Test func aRequestOnAnIdleClientStartsAtOnce() async throws {
        let server = try TestServer.echo()
        let client = try HTTPClient(options: .init(connections: 2))
        let (statuses, seconds) = try await elapsed {
            var statuses: [Int] = []
            for index in 0..<10 {
                try await Task.sleep(for: .milliseconds(30))   // the driver is back in its poll
                statuses.append(try await client.perform(HTTPRequest(url: server.url + "/idle\(index)")).status)
            }
            return statuses
        }
        #expect(statuses == Array(repeating: 200, count: 10))
        #expect(seconds < 3, "ten requests on an idle client took \(seconds) s")
    }

    /// A kept-alive connection that the server closes while the client is idle costs the
    /// driver nothing: libcurl stops watching a socket once its transfer is done, so the
    /// closed socket cannot make the driver's wait return again and again, and the next
    /// request opens a new connection.
    @Test func aConnectionTheServerClosesWhileIdleCostsTheDriverNoCPU() async throws {
        let server = try TestServer { _ in .reply(Reply(body: "ok".bytes, closeAfterward: true)) }
        let client = try HTTPClient(options: .init(connections: 2))
        defer { client.shutdown() }
        #expect(try await client.perform(HTTPRequest(url: server.url + "/first")).body == "ok".bytes)
        let driver: Set<Int32> = [client.queueForTesting.driverThreadID]
        #expect(driver != [0])
        try await Task.sleep(for: .milliseconds(100))   // the server has closed its end by now
        let before = cpuSeconds(ofThreads: driver)
        try await Task.sleep(for: .seconds(1))
        let spent = cpuSeconds(ofThreads: driver) - before
        // A driver woken by the closed socket over and over would spend the whole second.
        #expect(spent < 0.25, "the idle driver used \(spent) s of CPU in 1 s")
        #expect(try await client.perform(HTTPRequest(url: server.url + "/second")).body == "ok".bytes)
        #expect(server.acceptedConnections == 2)
    }

    @Test func performAfterShutdownFails() async throws {
        let server = try TestServer.echo()
        let client = try HTTPClient(options: .init(connections: 2))
        _ = try await client.perform(HTTPRequest(url: server.url))
        client.shutdown()
        client.shutdown()
        let error = await curlError { try await client.perform(HTTPRequest(url: server.url)) }
        #expect(error?.kind == .shutdown)
        #expect(await eventually { client.runningDrivers == 0 })
    }

    @Test func shutdownStopsRequestsInFlightAndQueued() async throws {
        let server = try TestServer { _ in .silent }
        let client = try HTTPClient(options: .init(totalTimeout: .seconds(30), connections: 1))
        let tasks = (0..<3).map { index in
            Task {
                try await client.perform(HTTPRequest(url: server.url + "/s\(index)"))
            }
        }
        #expect(await eventually { server.requests.count == 1 })
        let (kinds, seconds) = await elapsed {
            client.shutdown()
            var kinds: [CurlError.Kind?] = []
            for task in tasks {
                kinds.append(await curlError { try await task.value }?.kind)
            }
            return kinds
        }
        #expect(kinds == [.shutdown, .shutdown, .shutdown])
        #expect(seconds < 10)
        #expect(await eventually { client.runningDrivers == 0 })
    }

    @Test func cancellingTheTaskStopsTheRequest() async throws {
        let server = try TestServer { request in
            request.target == "/hang" ? .silent : .reply(Reply(body: "ok".bytes))
        }
        let client = try HTTPClient(options: .init(totalTimeout: .seconds(30), connections: 1))
        let task = Task {
            try await client.perform(HTTPRequest(url: server.url + "/hang"))
        }
        #expect(await eventually { server.requests.count == 1 })
        let (error, seconds) = await elapsed {
            task.cancel()
            return await curlError { try await task.value }
        }
        #expect(error?.kind == .other)
        #expect(error?.message.contains("cancelled") == true)
        #expect(seconds < 10)
        // The connection slot is free again for the next request.
        let response = try await client.perform(HTTPRequest(url: server.url + "/after"))
        #expect(response.body == "ok".bytes)
    }

    @Test func droppingTheClientEndsItsDriver() async throws {
        let queue: JobQueue
        do {
            let client = try HTTPClient(options: .init(connections: 3))
            #expect(client.runningDrivers == 1)
            queue = client.queueForTesting
        }
        #expect(await eventually { queue.runningDrivers == 0 })
    }
}
