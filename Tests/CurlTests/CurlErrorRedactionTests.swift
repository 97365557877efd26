@testable import Curl
import PatgateTestSupport
import Testing

@Suite("CurlError never leaks secrets")
struct CurlErrorRedactionTests {
    static let secrets = ["pat_HEADERSECRET_1234", "BODYSECRET_5678", "QUERYSECRET_9", "userpw_SECRET"]

    static func request(port: Int, path: String = "/introspect") -> HTTPRequest {
        HTTPRequest(
            url: "http://alice:userpw_SECRET@127.0.0.1:\(port)\(path)?token=QUERYSECRET_9#frag",
            headers: [("Authorization", "Bearer pat_HEADERSECRET_1234"), ("X-Api-Key", "pat_HEADERSECRET_1234")],
            body: "token=pat_BODYSECRET_5678&client=x".bytes)
    }

    static func expectClean(_ error: CurlError?, port: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else {
            Issue.record("no error", sourceLocation: sourceLocation)
            return
        }
        let text = "\(error) \(String(describing: error)) \(error.message)"
        for secret in secrets {
            #expect(!text.contains(secret), "\(text)", sourceLocation: sourceLocation)
        }
        #expect(!text.contains("alice"), sourceLocation: sourceLocation)
        #expect(text.contains("127.0.0.1:\(port)"), "\(text)", sourceLocation: sourceLocation)
    }

    @Test func connectFailure() async throws {
        let port = try LoopbackPort.free()
        let client = try HTTPClient(options: .init(connections: 1))
        let error = await curlError { try await client.perform(Self.request(port: port)) }
        #expect(error?.kind == .couldNotConnect)
        Self.expectClean(error, port: port)
        #expect(error?.description.contains("POST http://127.0.0.1:\(port)/introspect") == true)
    }

    @Test func timeoutAndTooLargeAndTLS() async throws {
        let server = try TestServer { request in
            request.target.hasPrefix("/slow") ? .silent : .reply(Reply(body: [UInt8](repeating: 0, count: 4096)))
        }
        let client = try HTTPClient(options: .init(totalTimeout: .milliseconds(500), maxResponseBytes: 100, connections: 1))
        let timeout = await curlError { try await client.perform(Self.request(port: server.port, path: "/slow")) }
        #expect(timeout?.kind == .timedOut)
        Self.expectClean(timeout, port: server.port)
        let tooLarge = await curlError { try await client.perform(Self.request(port: server.port)) }
        #expect(tooLarge?.kind == .responseTooLarge)
        Self.expectClean(tooLarge, port: server.port)
        var https = Self.request(port: server.port)
        https.url = "https" + https.url.dropFirst(4)
        let tls = await curlError { try await client.perform(https) }
        #expect(tls?.kind == .tls)
        Self.expectClean(tls, port: server.port)
    }

    @Test func invalidHeaderValueIsNotEchoed() async throws {
        let client = try HTTPClient(options: .init(connections: 1))
        var request = Self.request(port: 9)
        request.headers.append(("Authorization", "Bearer pat_HEADERSECRET_1234\r\nX: y"))
        let error = await curlError { try await client.perform(request) }
        #expect(error?.kind == .invalidRequest)
        Self.expectClean(error, port: 9)
    }

    @Test func scrubRemovesEveryRequestSecret() {
        let request = Self.request(port: 80)
        let text = "oops Bearer pat_HEADERSECRET_1234 token=pat_BODYSECRET_5678&client=x token=QUERYSECRET_9#frag alice:userpw_SECRET"
        let scrubbed = Redaction.scrub(text, of: request)
        for secret in Self.secrets { #expect(!scrubbed.contains(secret)) }
        #expect(scrubbed.hasPrefix("oops "))
    }

    @Test(arguments: [
        ("https://user:pw@host.example:8443/a/b?x=1#f", "https://host.example:8443/a/b"),
        ("http://127.0.0.1:80/p", "http://127.0.0.1:80/p"),
        ("http://u@h", "http://h"),
        ("http://h?q=secret", "http://h"),
        ("http://h#frag@x", "http://h"),
        ("http://a:b@c@h/p@q", "http://h/p@q"),
        ("weird user:pw@thing", "[not an absolute URL]"),
        ("http://h/a\r\nX: y", "http://h/a??X: y"),
    ])
    func redactedURL(input: String, expected: String) {
        #expect(Redaction.url(input) == expected)
    }
}
