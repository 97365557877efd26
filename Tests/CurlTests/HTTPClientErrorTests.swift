import Curl
import PatgateTestSupport
import Testing

@Suite("HTTPClient failures")
struct HTTPClientErrorTests {
    @Test func closedPortFailsQuicklyWithCouldNotConnect() async throws {
        let port = try LoopbackPort.free()
        // Refused is immediate; the generous bound only separates it from the 60 s connect timeout
        // on a loaded shared machine.
        let client = try HTTPClient(options: .init(connectTimeout: .seconds(60), totalTimeout: .seconds(90)))
        let (error, seconds) = await elapsed {
            await curlError { try await client.perform(HTTPRequest(url: "http://127.0.0.1:\(port)/x")) }
        }
        #expect(error?.kind == .couldNotConnect)
        #expect(error?.code == 7)
        #expect(seconds < 30)
    }

    @Test func silentServerTimesOutAfterAboutTheTotalTimeout() async throws {
        let server = try TestServer { _ in .silent }
        let client = try HTTPClient(options: .init(connectTimeout: .seconds(1), totalTimeout: .milliseconds(800)))
        let (error, seconds) = await elapsed {
            await curlError { try await client.perform(HTTPRequest(url: server.url + "/slow")) }
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.code == 28)
        #expect(seconds >= 0.7)
        #expect(seconds < 30)
    }

    @Test func oversizedResponseWithContentLengthIsRefused() async throws {
        let server = try TestServer { _ in .reply(Reply(body: [UInt8](repeating: 1, count: 10_001))) }
        let client = try HTTPClient(options: .init(maxResponseBytes: 10_000))
        let error = await curlError { try await client.perform(HTTPRequest(method: "GET", url: server.url)) }
        #expect(error?.kind == .responseTooLarge)
    }

    @Test func oversizedChunkedResponseIsCutOff() async throws {
        let server = try TestServer { _ in .reply(Reply(body: [UInt8](repeating: 2, count: 2 << 20), chunked: true)) }
        let client = try HTTPClient(options: .init(maxResponseBytes: 64 << 10))
        let error = await curlError { try await client.perform(HTTPRequest(method: "GET", url: server.url)) }
        #expect(error?.kind == .responseTooLarge)
        #expect(error?.code == 23)
    }

    @Test(arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd", "gopher://127.0.0.1/", "127.0.0.1:1/x", "http:/x"])
    func nonHTTPSchemesAreRefused(url: String) async throws {
        let client = try HTTPClient(options: .init(connections: 1))
        let error = await curlError { try await client.perform(HTTPRequest(method: "GET", url: url)) }
        #expect(error?.kind == .invalidRequest)
    }

    @Test func malformedRequestsAreRefusedBeforeSending() async throws {
        let server = try TestServer.echo()
        let client = try HTTPClient(options: .init(connections: 1))
        let bad: [HTTPRequest] = [
            HTTPRequest(method: "GE T", url: server.url),
            HTTPRequest(method: "", url: server.url),
            HTTPRequest(url: server.url + "/a b"),
            HTTPRequest(url: server.url + "/\u{0}x"),
            HTTPRequest(url: ""),
            HTTPRequest(url: server.url, headers: [("X-Injected", "a\r\nEvil: yes")]),
            HTTPRequest(url: server.url, headers: [("Bad Name", "v")]),
            HTTPRequest(url: server.url, headers: [("X-Nul", "a\u{0}b")]),
            HTTPRequest(url: server.url, headers: [("content-length", "5")], body: "ab".bytes),
            HTTPRequest(url: server.url, headers: [("Transfer-Encoding", "chunked")]),
            HTTPRequest(method: "HEAD", url: server.url, body: "x".bytes),
        ]
        for request in bad {
            let error = await curlError { try await client.perform(request) }
            #expect(error?.kind == .invalidRequest)
        }
        #expect(server.requests.isEmpty)
    }

    @Test func invalidOptionsAreRefused() {
        let bad: [HTTPClientOptions] = [
            .init(connections: 0),
            .init(connections: 100_000),
            .init(connectTimeout: .zero),
            .init(totalTimeout: .seconds(-1)),
            .init(maxResponseBytes: -1),
            .init(caFile: ""),
        ]
        for options in bad {
            #expect(throws: CurlError.self) { try HTTPClient(options: options) }
        }
    }

    @Test func missingCAFileIsATLSError() async throws {
        let client = try HTTPClient(options: .init(caFile: "/nonexistent/ca.pem", connections: 1))
        let server = try TestServer.echo()
        let error = await curlError { try await client.perform(HTTPRequest(url: "https://127.0.0.1:\(server.port)/")) }
        #expect(error?.kind == .tls)
    }

    @Test func httpsToAPlainHTTPPortIsATLSError() async throws {
        let server = try TestServer.echo()
        let client = try HTTPClient(options: .init(connections: 1))
        let error = await curlError { try await client.perform(HTTPRequest(url: "https://127.0.0.1:\(server.port)/")) }
        #expect(error?.kind == .tls)
        #expect(error?.code == 35)
    }
}
