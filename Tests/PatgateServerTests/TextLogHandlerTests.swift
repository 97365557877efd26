import Logging
@testable import PatgateServer
import Synchronization
import Testing

/// The text format keeps `StreamLogHandler`'s lines, with the metadata set on the logger
/// (Hummingbird's request id, a trace id) rendered when a line is written, not when it is set.
@Suite struct TextLogHandlerTests {
    @Test func aLineCarriesTheLoggersAndTheEventsMetadataSorted() {
        let output = CapturedText()
        var logger = Logger(label: "patgate") { TextLogHandler(label: $0, output: output) }
        logger[metadataKey: "hb.request.id"] = "0a1b"
        logger[metadataKey: "trace_id"] = "4bf9"
        logger.info("exchange failed closed", metadata: ["reason": "upstream down"])
        let line = output.text
        #expect(line.hasSuffix(" info patgate: hb.request.id=0a1b reason=upstream down trace_id=4bf9 [PatgateServerTests] exchange failed closed\n"))
        #expect(line.split(separator: "\n").count == 1)
    }

    @Test func belowTheLevelNothingIsWrittenAndLaterMetadataCounts() {
        let output = CapturedText()
        var logger = Logger(label: "patgate") { TextLogHandler(label: $0, output: output) }
        logger.logLevel = .warning
        logger.info("not written")
        #expect(output.text.isEmpty)
        logger[metadataKey: "hb.request.id"] = "1"
        logger[metadataKey: "hb.request.id"] = "2"
        logger.warning("written")
        #expect(output.text.hasSuffix(" warning patgate: hb.request.id=2 [PatgateServerTests] written\n"))
        #expect(logger.logLevel == .warning)
    }
}

/// A text stream tests read back (a `TextLogHandler`'s lines).
private final class CapturedText: TextOutputStream, Sendable {
    private let storage = Mutex("")

    func write(_ string: String) { storage.withLock { $0 += string } }

    var text: String { storage.withLock { $0 } }
}
