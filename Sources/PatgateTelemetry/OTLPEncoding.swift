/// OTLP's `ExportTraceServiceRequest` in protobuf's binary encoding, written by hand: the
/// message is small and fixed (opentelemetry-proto, `collector/trace/v1/trace_service.proto`,
/// `trace/v1/trace.proto`), and a protobuf runtime would cost more build time than the rest of
/// tracing. Field numbers are the `.proto` files'.
public enum OTLPEncoding {
    /// One request: one resource (`service.name`, …), one instrumentation scope, the spans.
    public static func request(_ spans: [SpanRecord], resource: [(String, String)], scope: String) -> [UInt8] {
        var scopeSpans = ProtobufWriter()
        var scopeMessage = ProtobufWriter()
        scopeMessage.string(1, scope)
        scopeSpans.message(1, scopeMessage)
        for span in spans { scopeSpans.message(2, encode(span)) }
        var resourceMessage = ProtobufWriter()
        for (key, value) in resource { resourceMessage.message(1, keyValue(key, value)) }
        var resourceSpans = ProtobufWriter()
        resourceSpans.message(1, resourceMessage)
        resourceSpans.message(2, scopeSpans)
        var request = ProtobufWriter()
        request.message(1, resourceSpans)
        return request.bytes
    }

    static func encode(_ span: SpanRecord) -> ProtobufWriter {
        var message = ProtobufWriter()
        message.bytes(1, hexBytes(span.traceID))
        message.bytes(2, hexBytes(span.spanID))
        if let parent = span.parentSpanID { message.bytes(4, hexBytes(parent)) }
        message.string(5, span.name)
        message.varint(6, UInt64(span.kind.rawValue))
        message.fixed64(7, span.startNanoseconds)
        message.fixed64(8, span.endNanoseconds)
        for (key, value) in span.attributes { message.message(9, keyValue(key, value)) }
        var status = ProtobufWriter()
        status.varint(3, span.failed ? 2 : 1)   // STATUS_CODE_ERROR : STATUS_CODE_OK
        message.message(15, status)
        return message
    }

    static func keyValue(_ key: String, _ value: String) -> ProtobufWriter {
        var any = ProtobufWriter()
        any.string(1, value)   // AnyValue.string_value
        var pair = ProtobufWriter()
        pair.string(1, key)
        pair.message(2, any)
        return pair
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in hex.utf8 {
            let nibble: UInt8 = character <= 0x39 ? character - 0x30 : (character | 0x20) - 0x61 + 10
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

/// Protobuf's wire format: varints, fixed64 and length-delimited fields.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, wireType: 0)
        appendVarint(value)
    }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        tag(field, wireType: 1)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, wireType: 2)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ value: ProtobufWriter) { bytes(field, value.bytes) }

    private mutating func tag(_ field: Int, wireType: UInt64) { appendVarint(UInt64(field) << 3 | wireType) }

    private mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
