import Synchronization

/// Spans, recorded only while an exporter is installed (`OTEL_EXPORTER_OTLP_ENDPOINT` set);
/// otherwise `start` returns `nil` after one atomic load and tracing costs nothing beyond
/// passing an incoming `traceparent` on (docs/ARCHITECTURE.md, "Traces").
public enum Tracing {
    /// Where finished spans go: the OTLP exporter's queue. Must not block.
    public final class Sink: Sendable {
        let receive: @Sendable (SpanRecord) -> Void

        public init(_ receive: @escaping @Sendable (SpanRecord) -> Void) {
            self.receive = receive
        }
    }

    private static let sink = ImmortalReference<Sink>()

    /// Installs the process's span sink; the first call wins.
    public static func install(_ sink: Sink) {
        _ = self.sink.storeIfNil(sink)
    }

    public static var isEnabled: Bool { sink.load() != nil }

    /// A new span, child of `parent` (or of `TraceContext.current`), or the root of a new trace;
    /// `nil` when tracing is off or the parent is not sampled.
    public static func start(_ name: String, kind: SpanRecord.Kind, parent: TraceContext? = TraceContext.current) -> Span? {
        guard let sink = sink.load() else { return nil }
        if let parent, !parent.sampled { return nil }
        let context = parent?.child() ?? TraceContext.root()
        return Span(context: context, parentSpanID: parent?.spanID, name: name, kind: kind, sink: sink)
    }

    /// Runs `body` inside a new span bound to `TraceContext.current`; the span fails when `body` throws.
    public static func withSpan<Result>(_ name: String, kind: SpanRecord.Kind,
                                        _ body: () async throws -> Result) async rethrows -> Result {
        guard var span = start(name, kind: kind) else { return try await body() }
        do {
            let result = try await TraceContext.$current.withValue(span.context) { try await body() }
            span.end()
            return result
        } catch {
            span.failed = true
            span.end()
            throw error
        }
    }
}

/// A span in progress; `end()` hands it to the exporter.
public struct Span: Sendable {
    /// The context its children and outgoing calls name as their parent.
    public let context: TraceContext
    let parentSpanID: String?
    public var name: String
    let kind: SpanRecord.Kind
    let started = SpanRecord.now()
    let sink: Tracing.Sink
    public var attributes: [(String, String)] = []
    public var failed = false

    init(context: TraceContext, parentSpanID: String?, name: String, kind: SpanRecord.Kind, sink: Tracing.Sink) {
        self.context = context
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.sink = sink
    }

    public func end() {
        sink.receive(SpanRecord(traceID: context.traceID, spanID: context.spanID, parentSpanID: parentSpanID, name: name,
                                kind: kind, startNanoseconds: started, endNanoseconds: SpanRecord.now(),
                                attributes: attributes, failed: failed))
    }
}
