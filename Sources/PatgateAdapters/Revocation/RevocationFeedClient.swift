import Curl
import Logging
import PatgateCore
import Synchronization

/// The gateway's side of the issuer's revocation feed (`GET /revocations`, README "Revocation
/// feed"): a `RevocationSource` over libcurl for a gateway-only deployment whose upstream is a
/// patgate issuer. Each read is a long poll: the issuer answers at once when events after the
/// position exist, else after up to `wait`. Authenticated as the introspection client.
///
/// The position lives in the `RevocationWatcher` (in memory: after a restart the cache is
/// empty anyway). A `reset` answer becomes a `RevocationGap`; any other failure (unreachable,
/// a status other than 200, a malformed page) throws `RevocationFeedError`, and the watcher
/// retries with a backoff while `cache.ttl_seconds` bounds revocation.
public final class RevocationFeedClient: RevocationSource {
    /// The libcurl client of the feed (one connection: one long poll at a time), run by the
    /// composition root's `ServiceGroup`.
    public let http: HTTPClient
    private let url: String
    private let authorization: String?
    private let wait: Int
    private let logger: Logger
    /// The reason of the last failure, logged when it changes (cleared by a success).
    private let lastFailure = Mutex<String?>(nil)

    /// `options` are the upstream's (connect timeout, TLS, proxy); the total timeout is set
    /// to outlast the long poll.
    public init(url: String, authentication: IntrospectionClientConfig.Authentication, options: HTTPClientOptions,
                wait: Int = 25, logger: Logger) throws {
        var options = options
        options.connections = 1
        options.totalTimeout = .seconds(wait) + options.connectTimeout + .seconds(5)
        http = try HTTPClient(options: options)
        self.url = url
        self.authorization = authentication.headerValue
        self.wait = wait
        self.logger = logger
    }

    public var waitsForEvents: Bool { true }

    public func revocations(after sequence: Int64, limit: Int) async throws -> [RevocationEvent] {
        let page = try await fetch("after=\(sequence)&wait=\(wait)")
        if page.reset { throw RevocationGap(latest: page.next) }
        return Array(page.events.prefix(limit))
    }

    public func latestRevocation() async throws -> Int64 {
        try await fetch(nil).next
    }

    private func fetch(_ query: String?) async throws -> RevocationFeedPage {
        var target = url
        if let query { target += (url.contains("?") ? "&" : "?") + query }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) }
        do {
            let response: HTTPResponse
            do {
                response = try await http.perform(HTTPRequest(method: "GET", url: target, headers: headers))
            } catch {
                throw RevocationFeedError.unreachable("\(error.kind)")
            }
            guard response.status == 200 else { throw RevocationFeedError.status(response.status) }
            guard let page = RevocationFeedPage.parse(response.body) else { throw RevocationFeedError.malformed }
            lastFailure.withLock { $0 = nil }
            return page
        } catch let error as RevocationFeedError {
            let reason = error.description
            let changed = lastFailure.withLock { last in
                defer { last = reason }
                return last != reason
            }
            if changed && !Task.isCancelled {
                logger.warning("the revocation feed failed", metadata: ["reason": "\(reason)"])
            }
            throw error
        }
    }
}

/// Why the revocation feed gave no page. Never carries a credential.
public enum RevocationFeedError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(String)
    case status(Int)
    case malformed

    public var description: String {
        switch self {
        case .unreachable(let reason): "unreachable (\(reason))"
        case .status(let status): "answered with status \(status)"
        case .malformed: "sent a malformed page"
        }
    }
}
