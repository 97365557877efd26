/// A request as the test server parsed it off the wire.
struct ReceivedRequest: Sendable {
    var method: String
    var target: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The first header named `name`, case-insensitively.
    func header(_ name: String) -> String? {
        headers.first(where: { $0.name.lowercased() == name.lowercased() })?.value
    }
}

/// What the test server answers.
struct Reply: Sendable {
    var status = 200
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Send the body with `Transfer-Encoding: chunked` (no Content-Length up front).
    var chunked = false
    /// Wait this long before answering.
    var delay: Duration = .zero
    /// Close the connection after this answer, as a server does whose keep-alive ran out
    /// (the answer itself does not say `Connection: close`).
    var closeAfterward = false
}

/// How the test server treats one request.
enum Action: Sendable {
    case reply(Reply)
    /// Read the request, never answer; hold the connection until the peer goes.
    case silent
}

typealias Handler = @Sendable (ReceivedRequest) -> Action

extension TestServer {
    /// Answers 200 with the request's body, its method in `X-Echo-Method` and its
    /// target in `X-Echo-Target`.
    static func echo(delay: Duration = .zero) throws -> TestServer {
        try TestServer { request in
            .reply(Reply(
                headers: [("X-Echo-Method", request.method), ("X-Echo-Target", request.target)],
                body: request.body, delay: delay))
        }
    }
}
