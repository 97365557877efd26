@testable import PatgateTelemetry
import Testing

@Suite struct OTLPEncodingTests {
    @Test func writesProtobufsWireFormat() {
        var writer = ProtobufWriter()
        writer.varint(1, 300)              // tag 08, varint AC 02
        writer.string(2, "hi")             // tag 12, length 2
        writer.fixed64(7, 1)               // tag 39, little-endian
        #expect(writer.bytes == [0x08, 0xAC, 0x02, 0x12, 0x02, 0x68, 0x69, 0x39, 1, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func encodesASpanWithItsIdsAsBytes() {
        let span = SpanRecord(traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203331", parentSpanID: nil,
                              name: "x", kind: .server, startNanoseconds: 1, endNanoseconds: 2, attributes: [], failed: false)
        let bytes = OTLPEncoding.encode(span).bytes
        // trace_id: field 1, 16 bytes; span_id: field 2, 8 bytes; no parent (field 4).
        #expect(Array(bytes.prefix(18)) == [0x0A, 16] + OTLPEncoding.hexBytes("0af7651916cd43dd8448eb211c80319c"))
        #expect(Array(bytes[18..<28]) == [0x12, 8, 0xB7, 0xAD, 0x6B, 0x71, 0x69, 0x20, 0x33, 0x31])
        #expect(bytes[28] == 0x2A)   // name: field 5, length-delimited
    }
}
