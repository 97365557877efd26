import Foundation
import JSON
import Logging

/// `logging.format: json`: one JSON object a line on standard error, for log shippers:
/// `{"time":"…","level":"info","logger":"patgate","message":"…","request_id":"…","trace_id":"…",…}`.
/// Hummingbird's `hb.request.id` becomes `request_id`; other metadata keeps its key, as a
/// string (nested values as JSON). Lines are written whole, one `write(2)` each.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        FileHandle.standardError.write(Data(Self.line(event, label: label, metadata: merged)))
    }

    /// One line: fixed members first, then the metadata sorted by key.
    static func line(_ event: LogEvent, label: String, metadata: Logger.Metadata, now: Date = Date()) -> [UInt8] {
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.field("time", timestamp(now))
        json.field("level", event.level.rawValue)
        json.field("logger", label)
        json.field("message", event.message.description)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            json.key(key == "hb.request.id" ? "request_id" : key)
            write(value, into: &json)
        }
        json.endObject()
        return json.bytes + [0x0A]
    }

    private static func write(_ value: Logger.Metadata.Value, into json: inout JSONWriter) {
        switch value {
        case .string(let text): json.value(text)
        case .stringConvertible(let convertible): json.value(convertible.description)
        case .array(let values):
            json.beginArray()
            for value in values { write(value, into: &json) }
            json.endArray()
        case .dictionary(let values):
            json.beginObject()
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                json.key(key)
                write(value, into: &json)
            }
            json.endObject()
        }
    }

    /// RFC 3339 in UTC with milliseconds.
    private static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded(.down))
        var seconds = time_t(milliseconds / 1_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = String(milliseconds % 1_000)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)Z"
    }
}
