#if canImport(Glibc)
import Glibc
#endif

/// One finished span, as the OTLP exporter sends it.
public struct SpanRecord: Sendable {
    public enum Kind: Int, Sendable {
        case internalWork = 1
        case server = 2
        case client = 3
    }

    public var traceID: String
    public var spanID: String
    /// `nil` for a root span.
    public var parentSpanID: String?
    public var name: String
    public var kind: Kind
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    /// Bounded, non-secret values only (a route template, a status code, an outcome).
    public var attributes: [(String, String)]
    public var failed: Bool

    /// Nanoseconds since the epoch (`CLOCK_REALTIME`).
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
