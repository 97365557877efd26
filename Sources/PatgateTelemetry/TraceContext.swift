/// A W3C Trace Context (`traceparent`, https://www.w3.org/TR/trace-context/) that a request
/// brought: the trace this process's work belongs to. The request's middleware binds it to
/// `TraceContext.current`; the introspection and STS clients pass it on as the parent of their
/// calls, and the JSON log names its trace id.
public struct TraceContext: Sendable, Equatable {
    /// 32 lowercase hex digits, not all zero.
    public let traceID: String
    /// The span these headers name as the parent: 16 lowercase hex digits, not all zero.
    public let spanID: String
    public let sampled: Bool

    @TaskLocal public static var current: TraceContext?

    public init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// Parses `00-<trace id>-<parent id>-<flags>`; `nil` for anything else, as the
    /// specification asks (a later version's extra fields after the flags are ignored).
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, Self.isHex(parts[0]), parts[0] != "ff",
              parts[0] != "00" || parts.count == 4,
              parts[1].count == 32, Self.isHex(parts[1]), parts[1].contains(where: { $0 != "0" }),
              parts[2].count == 16, Self.isHex(parts[2]), parts[2].contains(where: { $0 != "0" }),
              parts[3].count == 2, Self.isHex(parts[3]), let flags = UInt8(parts[3], radix: 16) else { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]), sampled: flags & 1 == 1)
    }

    /// The same trace with a new span of ours as the parent.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.newSpanID(), sampled: sampled)
    }

    /// The header value naming this span as the parent.
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    /// A trace of our own, for a request that brought none (only when spans are exported).
    public static func root() -> TraceContext {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        return TraceContext(traceID: hex(high | 1) + hex(low), spanID: newSpanID(), sampled: true)
    }

    public static func newSpanID() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((generator.next() as UInt64) | 1)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
