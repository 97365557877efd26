import Foundation
import Logging
@testable import PatgateServer
import Testing

@Suite struct JSONLogHandlerTests {
    @Test func writesOneObjectWithTheRequestAndTraceIDs() throws {
        let event = LogEvent(level: .warning, message: "token exchange failed closed", metadata: ["reason": "the \"upstream\"\ndown"],
                             source: nil, file: #fileID, function: #function, line: #line)
        let line = JSONLogHandler.line(event, label: "patgate", metadata: [
            "hb.request.id": "0a1b", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "reason": "the \"upstream\"\ndown",
            "nested": ["count": .stringConvertible(3), "list": ["a", "b"]],
        ], now: Date(timeIntervalSince1970: 1_764_000_000.5))
        #expect(line.last == 0x0A)
        #expect(line.dropLast().contains(0x0A) == false)   // one line: the newline in a value is escaped
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["time"] as? String == "2025-11-24T16:00:00.500Z")
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "patgate")
        #expect(object["message"] as? String == "token exchange failed closed")
        #expect(object["request_id"] as? String == "0a1b")
        #expect(object["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(object["reason"] as? String == "the \"upstream\"\ndown")
        #expect((object["nested"] as? [String: Any])?["list"] as? [String] == ["a", "b"])
        #expect(object["hb.request.id"] == nil)
    }
}
