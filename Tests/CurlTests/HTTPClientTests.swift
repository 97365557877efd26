import Curl
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("HTTPClient requests and responses")
struct HTTPClientTests {
    @Test func postBodyAndHeadersArriveIntact() async throws {
        let server = try TestServer.echo()
        let client = try HTTPClient(options: .init(connections: 1))
        let body = "grant_type=urn%3Aietf&subject_token=abc%20def&x=\u{00e9}".bytes
        let response = try await client.perform(HTTPRequest(
            url: server.url + "/introspect?a=1",
            headers: [("Authorization", "Basic dXNlcjpwYXNz"), ("X-Custom", "  spaced value"),
                      ("Content-Type", "application/x-www-form-urlencoded"), ("X-Empty", "")],
            body: body))
        #expect(response.status == 200)
        #expect(response.body == body)
        #expect(response.header("x-echo-method") == "POST")
        #expect(response.header("X-ECHO-TARGET") == "/introspect?a=1")
        let received = try #require(server.requests.first)
        #expect(received.header("Authorization") == "Basic dXNlcjpwYXNz")
        #expect(received.header("X-Custom") == "spaced value")
        #expect(received.header("X-Empty") == "")
        #expect(received.header("Content-Length") == "\(body.count)")
        #expect(received.header("Expect") == nil)
    }

    @Test func largeBodyIsSentWithoutExpectContinue() async throws {
        let server = try TestServer.echo()
        let client = try HTTPClient(options: .init(connections: 1))
        let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let response = try await client.perform(HTTPRequest(url: server.url + "/big", body: body))
        #expect(response.body == body)
        #expect(server.requests.first?.header("Expect") == nil)
    }

    @Test func statusAndHeadersAreReturned() async throws {
        let server = try TestServer { _ in
            .reply(Reply(status: 201, headers: [("X-Reply", "yes"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                         body: "created".bytes))
        }
        let client = try HTTPClient()
        let response = try await client.perform(HTTPRequest(method: "GET", url: server.url + "/thing"))
        #expect(response.status == 201)
        #expect(response.header("x-reply") == "yes")
        #expect(response.header("set-cookie") == "a=1")
        #expect(response.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1", "b=2"])
        #expect(response.header("Content-Length") == "7")
        #expect(response.header("missing") == nil)
        #expect(response.body == "created".bytes)
    }

    @Test(arguments: [("GET", ""), ("DELETE", ""), ("PUT", "payload"), ("PATCH", "p"), ("POST", "")])
    func methodsAreSentAsGiven(method: String, body: String) async throws {
        let server = try TestServer.echo()
        let client = try HTTPClient(options: .init(connections: 1))
        let response = try await client.perform(HTTPRequest(method: method, url: server.url + "/m", body: body.bytes))
        #expect(response.status == 200)
        #expect(response.header("X-Echo-Method") == method)
        #expect(response.body == body.bytes)
        let received = try #require(server.requests.first)
        #expect(received.body == body.bytes)
        if method == "POST" || !body.isEmpty {
            #expect(received.header("Content-Length") == "\(body.utf8.count)")
        }
    }

    @Test func headRequestReturnsStatusWithoutBody() async throws {
        let server = try TestServer { _ in .reply(Reply(status: 204)) }
        let client = try HTTPClient()
        let response = try await client.perform(HTTPRequest(method: "HEAD", url: server.url + "/"))
        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        #expect(server.requests.first?.method == "HEAD")
    }

    @Test func redirectsAreReturnedNotFollowed() async throws {
        let server = try TestServer { _ in
            .reply(Reply(status: 302, headers: [("Location", "/elsewhere")], body: "moved".bytes))
        }
        let client = try HTTPClient()
        let response = try await client.perform(HTTPRequest(method: "GET", url: server.url + "/start"))
        #expect(response.status == 302)
        #expect(response.header("location") == "/elsewhere")
        #expect(server.requests.count == 1)
    }

    @Test func responseAtTheLimitIsAccepted() async throws {
        let body = [UInt8](repeating: 0x61, count: 4096)
        let server = try TestServer { _ in .reply(Reply(body: body, chunked: true)) }
        let client = try HTTPClient(options: .init(maxResponseBytes: 4096))
        let response = try await client.perform(HTTPRequest(method: "GET", url: server.url))
        #expect(response.body == body)
    }
}

@Suite("HTTPClient proxies")
struct HTTPClientProxyTests {
    /// A subject token must not leave through a proxy nobody configured for the client.
    @Test func environmentProxiesAreIgnored() async throws {
        let server = try TestServer.echo()
        setenv("http_proxy", "http://127.0.0.1:9", 1)
        setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1)
        defer { unsetenv("http_proxy"); unsetenv("HTTPS_PROXY") }
        let client = try HTTPClient(options: .init(connections: 1))
        let response = try await client.perform(HTTPRequest(url: server.url + "/direct", body: "token=x".bytes))
        #expect(response.status == 200)
        #expect(server.requests.first?.header("X-Echo-Target") == nil)
        #expect(response.header("X-Echo-Target") == "/direct")
    }
}
