import Curl
import Foundation
import Logging
import PatgateCore
import PatgateTelemetry

/// The RFC 7662 client: asks the configured upstream whether a subject token is active.
///
/// Runs over libcurl with reused handles; every way the upstream can fail (down, slow,
/// 5xx, not JSON, no `active`) throws, so the exchange fails closed.
public final class IntrospectionClient: SubjectTokenValidator {
    private let config: IntrospectionClientConfig
    /// The libcurl client (its driver thread), run by the composition root's `ServiceGroup`.
    public let http: HTTPClient
    private let authorization: String?
    private let logger: Logger
    private let now: @Sendable () -> Int64

    public init(config: IntrospectionClientConfig, logger: Logger, now: @escaping @Sendable () -> Int64 = UnixTime.now) throws {
        self.config = config
        self.http = try HTTPClient(options: config.http)
        self.logger = logger
        self.now = now
        authorization = config.authentication.headerValue
    }

    public func validate(_ token: String) async throws -> ValidationResult {
        var body = "token=" + FormEncoding.encode(token)
        if let hint = config.tokenTypeHint { body += "&token_type_hint=" + FormEncoding.encode(hint) }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
        ]
        if let authorization { headers.append(("Authorization", authorization)) }
        // The incoming request's trace continues upstream (W3C Trace Context): as the parent, our
        // client span when spans are exported, else a span id of our own in the same trace.
        var span = Tracing.start("introspection", kind: .client)
        if let trace = span?.context ?? TraceContext.current?.child() { headers.append(("traceparent", trace.traceparent)) }
        defer { span?.end() }

        let started = Meters.start()
        let response: HTTPResponse
        do {
            response = try await http.perform(HTTPRequest(method: "POST", url: config.url, headers: headers, body: Array(body.utf8)))
        } catch {
            // Cancelled: no request waits for this answer any more (their clients left). Not the
            // upstream's failure, so neither counted nor logged as one.
            if Task.isCancelled {
                span?.attributes = [("patgate.outcome", "cancelled")]
                throw CancellationError()
            }
            Meters.introspection(outcome: "unreachable", nanoseconds: Meters.nanoseconds(since: started))
            span?.attributes = [("patgate.outcome", "unreachable")]
            span?.failed = true
            logger.error("introspection upstream unreachable", metadata: ["error": "\(error)"])
            throw IntrospectionError.unreachable
        }
        let elapsed = Meters.nanoseconds(since: started)
        guard response.status == 200 else {
            Meters.introspection(outcome: "error_status", nanoseconds: elapsed)
            span?.attributes = [("patgate.outcome", "error_status"), ("http.response.status_code", String(response.status))]
            span?.failed = true
            logger.error("introspection upstream answered with an error status", metadata: ["status": "\(response.status)"])
            throw IntrospectionError.status(response.status)
        }
        do {
            let result = try IntrospectionParser.parse(response.body, now: now())
            if case .active = result {
                Meters.introspection(outcome: "active", nanoseconds: elapsed)
                span?.attributes = [("patgate.outcome", "active")]
            } else {
                Meters.introspection(outcome: "inactive", nanoseconds: elapsed)
                span?.attributes = [("patgate.outcome", "inactive")]
            }
            return result
        } catch {
            Meters.introspection(outcome: "malformed", nanoseconds: elapsed)
            span?.attributes = [("patgate.outcome", "malformed")]
            span?.failed = true
            logger.error("introspection upstream sent a malformed response", metadata: ["reason": "\(error)"])
            throw error
        }
    }
}

/// Why an introspection call gave no answer. Never carries the token.
public enum IntrospectionError: Error, Sendable, Equatable {
    case unreachable
    case status(Int)
    case malformed(String)
}
