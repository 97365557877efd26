import Logging

/// `logging.format: text` (the default): swift-log's `StreamLogHandler` lines on standard error,
/// with the logger's metadata handed to it only when a line is written. `StreamLogHandler`
/// renders its metadata as text on every change, and Hummingbird sets `hb.request.id` on every
/// request's logger, so each routed request paid for a text that is almost never written
/// (BENCHMARKS.md, "Issue 14: the cache miss's thread hand-offs (session 17)").
public struct TextLogHandler: LogHandler {
    private var stream: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    public init(label: String) {
        stream = .standardError(label: label)
    }

    /// Writes to `output` instead of standard error (tests).
    init(label: String, output: any TextOutputStream & Sendable) {
        stream = StreamLogHandler(label: label, stream: output)
    }

    public var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var stream = stream
        if !metadata.isEmpty { stream.metadata = metadata }
        stream.log(event: event)
    }
}
