import Curl
import Logging
import PatgateTelemetry
import ServiceLifecycle
import Synchronization

/// Sends finished spans to an OpenTelemetry collector over OTLP/HTTP (protobuf, `POST
/// <endpoint>/v1/traces`), in batches: every `interval`, or at once when `batch` spans wait.
/// A `Service`: it stops after the HTTP server, so the spans of the last requests are sent.
/// When the collector is down, spans are dropped (at most `capacity` wait), never the requests.
public final class OTLPExporter: Service {
    private let url: String
    private let resource: [(String, String)]
    private let http: HTTPClient
    private let logger: Logger
    private let interval: Duration
    private let batch = 512
    private let capacity = 8_192
    private let queue = Mutex<[SpanRecord]>([])
    private let wakes = WakeSignal()
    private let failing = Atomic<Bool>(false)

    /// `endpoint`: `OTEL_EXPORTER_OTLP_ENDPOINT` (the collector's base URL; `/v1/traces` is appended).
    public init(endpoint: String, serviceName: String, version: String, logger: Logger,
                interval: Duration = .seconds(1)) throws {
        url = (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/v1/traces"
        resource = [("service.name", serviceName), ("service.version", version)]
        http = try HTTPClient(options: HTTPClientOptions(totalTimeout: .seconds(10), connections: 1))
        self.logger = logger
        self.interval = interval
    }

    /// Where `Tracing` hands finished spans: queued, never blocking.
    public var sink: Tracing.Sink {
        Tracing.Sink { [self] span in
            let full = queue.withLock { queue -> Bool in
                if queue.count < capacity { queue.append(span) }
                return queue.count >= batch
            }
            if full { wakes.ring() }
        }
    }

    public func run() async {
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let generation = wakes.generation
                await send()
                await wakes.wait(beyond: generation, upTo: interval)
            }
        }
        await send()   // what the last requests left
        http.shutdown()
    }

    private func send() async {
        while true {
            let spans = queue.withLock { queue -> [SpanRecord] in
                let taken = Array(queue.prefix(batch))
                queue.removeFirst(taken.count)
                return taken
            }
            if spans.isEmpty { return }
            let body = OTLPEncoding.request(spans, resource: resource, scope: "patgate")
            let status: Int
            do {
                status = try await http.perform(HTTPRequest(
                    method: "POST", url: url, headers: [("Content-Type", "application/x-protobuf")], body: body)).status
            } catch {
                return failed("\(error)")
            }
            guard (200..<300).contains(status) else { return failed("status \(status)") }
            if failing.exchange(false, ordering: .relaxed) { logger.info("spans reach the OTLP collector again") }
        }
    }

    /// Logs the first failure of a run of them; the batch is dropped.
    private func failed(_ reason: String) {
        if !failing.exchange(true, ordering: .relaxed) {
            logger.warning("the OTLP collector does not take spans; they are dropped until it does",
                           metadata: ["url": "\(HTTPRequest.redacted(url))", "error": "\(reason)"])
        }
    }
}
