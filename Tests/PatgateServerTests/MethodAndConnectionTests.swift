import Curl
import Foundation
import PatgateServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct MethodAndConnectionTests {
    @Test func aWrongMethodIs405WithAllowInThePathsOwnErrorForm() async throws {
        try await LiveServer.withAPI { server in
            let oauth = "application/json", problem = "application/problem+json"
            let cases: [(method: String, path: String, allow: String, type: String)] = [
                ("GET", "/token", "POST", oauth),
                ("PUT", "/introspect", "POST", oauth),
                ("POST", "/healthz", "GET", "application/json"),
                ("DELETE", "/readyz", "GET", "application/json"),
                ("POST", "/.well-known/jwks.json", "GET", "application/json"),
                ("PUT", "/.well-known/openid-configuration", "GET", "application/json"),
                ("POST", "/console", "GET", "application/json"),
                ("POST", "/console/assets/console.js", "GET", "application/json"),
                ("PUT", "/api/v1/tokens", "GET, POST", problem),
                ("PATCH", "/api/v1/tokens/abc", "DELETE, GET", problem),
                ("GET", "/api/v1/tokens/abc/rotate", "POST", problem),
                ("PUT", "/api/v1/session", "DELETE, GET, POST", problem),
                ("GET", "/api/v1/admin/users/bob", "PATCH", problem),
            ]
            for (method, path, allow, type) in cases {
                let response = try await server.http.perform(CurlRequest(method: method, url: server.base + path))
                #expect(response.status == 405, "\(method) \(path)")
                #expect(response.header("Allow") == allow, "\(method) \(path)")
                #expect(response.header("Content-Type") == type, "\(method) \(path)")
                let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
                let code = type == problem ? body?["code"] : body?["error"]
                let isOAuth = path == "/token" || path == "/introspect"
                #expect(code as? String == (isOAuth ? "invalid_request" : "method_not_allowed"), "\(method) \(path)")
            }
            // Unknown paths and a route's own 404 stay 404.
            for path in ["/nothing", "/console/assets/missing.js", "/api/v1/nothing"] {
                #expect(try await server.get(path).status == 404, "\(path)")
            }
        }
    }

    @Test func anHTTP10RequestWithoutKeepAliveGetsConnectionCloseAndIsClosed() async throws {
        try await LiveServer.with { server in
            let port = server.config.server.port
            let plain = try await RawHTTP.exchange(port: port, "GET /healthz HTTP/1.0\r\n\r\n")
            #expect(plain.text.hasPrefix("HTTP/1.1 200"), "\(plain.text)")
            #expect(plain.text.lowercased().contains("connection: close"), "\(plain.text)")
            #expect(plain.closed, "the server closes the connection after the answer")

            let kept = try await RawHTTP.exchange(port: port, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(kept.text.contains("200"), "\(kept.text)")
            #expect(!kept.text.lowercased().contains("connection: close"), "\(kept.text)")
            #expect(!kept.closed, "a keep-alive request keeps its connection")
        }
    }
}

/// One request over a plain socket: what came back within a second, and whether the server
/// closed the connection (end of file) rather than leaving it open.
enum RawHTTP {
    /// `halfClose`: the client shuts its sending side once the request is sent, as a client that
    /// has nothing more to ask may.
    static func exchange(port: Int, _ request: String, halfClose: Bool = false) async throws -> (text: String, closed: Bool) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blocking(port: port, request, halfClose: halfClose) })
            }
        }
    }

    /// Connects, sends `request` and closes at once, without reading. `reset`: the close resets
    /// the connection (a zero linger time), as a client that aborts does, instead of a FIN
    /// the server may take for a half-close.
    static func sendAndClose(port: Int, _ request: String, reset: Bool = false) throws {
        let fd = try connected(port: port)
        defer { close(fd) }
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw HarnessError(text: "send failed") }
        if reset {
            Thread.sleep(forTimeInterval: 0.1)   // the request is read, and held, first
            var linger = linger(l_onoff: 1, l_linger: 0)
            guard setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size)) == 0 else {
                throw HarnessError(text: "SO_LINGER failed")
            }
        }
    }

    private static func connected(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError(text: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw HarnessError(text: "connect failed: errno \(errno)")
        }
        return fd
    }

    private static func blocking(port: Int, _ request: String, halfClose: Bool) throws -> (text: String, closed: Bool) {
        let fd = try connected(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw HarnessError(text: "send failed") }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        // A second of silence ends the answer; before its first byte, five (a loaded machine
        // may hold a held request's upstream call for longer than a second).
        var silentSeconds = 0
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { received += buffer[0..<count]; continue }
            silentSeconds += 1
            if count < 0, received.isEmpty, silentSeconds < 5 { continue }
            return (String(decoding: received, as: UTF8.self), count == 0)
        }
    }
}
