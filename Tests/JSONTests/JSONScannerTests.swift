import JSON
import Testing

/// The one JSON lexer every parser in the package uses: each token kind, accepted and refused.
@Suite struct JSONScannerTests {
    private func scanString(_ text: String) -> (value: String?, atEnd: Bool) {
        var scanner = JSONScanner(Array(text.utf8))
        let value = scanner.string()
        return (value, scanner.isAtEnd)
    }

    @Test func stringsDecodeEveryEscape() {
        #expect(scanString(#""plain""#).value == "plain")
        #expect(scanString(#""""#).value == "")
        #expect(scanString(#""q\"b\\s\/""#).value == "q\"b\\s/")
        #expect(scanString(#""\b\f\n\r\t""#).value == "\u{08}\u{0C}\n\r\t")
        #expect(scanString(#""caf\u00e9 \u00E9""#).value == "café é")
        #expect(scanString(#""\u0000""#).value == "\u{0}")
        #expect(scanString(#""é raw, then \n""#).value == "é raw, then \n")
        #expect(scanString(#""ASCII, then raw é 😀""#).value == "ASCII, then raw é 😀")
    }

    @Test func surrogatePairsBecomeOneScalar() {
        let result = scanString(#""\ud83d\ude00!""#)
        #expect(result.value == "😀!")
        #expect(result.atEnd)
        #expect(result.value?.unicodeScalars.count == 2)
    }

    @Test(arguments: [
        #""\udc00""#,  // lone low surrogate
        #""\ud800""#,  // high surrogate, nothing after
        #""\ud800\u0041""#,  // high surrogate, then no low one
        #""\ud800x""#,
        #""\u12""#, #""\u12g4""#, #""\x""#, "\"unterminated", "\"tab\there\"", "\"nl\nhere\"", "unquoted",
    ])
    func malformedStringsAreRefused(_ text: String) {
        #expect(scanString(text).value == nil)
    }

    @Test func invalidUTF8IsRefusedWithOrWithoutEscapes() {
        // A bad byte after ASCII ones too: only strings with a non-ASCII byte are validated.
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0x61, 0x62, 0xC3, 0x22], [0x22, 0xC3, 0x5C, 0x6E, 0x22],
                               [0x22, 0x5C, 0x6E, 0xE2, 0x82, 0x22]] {
            var scanner = JSONScanner(bytes)
            let value = scanner.string()
            #expect(value == nil)
        }
    }

    @Test(arguments: [("0", true), ("-0", true), ("42", true), ("-17", true), ("2.5", false), ("1e9", false),
                      ("-1.5E+3", false), ("6e-2", false)])
    func numbersAreWholeTokens(_ text: String, integral: Bool) throws {
        var scanner = JSONScanner(Array(text.utf8))
        let scanned = scanner.number()
        let number = try #require(scanned)
        #expect(String(decoding: number.text, as: UTF8.self) == text)
        #expect(number.isIntegral == integral)
        #expect(scanner.isAtEnd)
    }

    @Test(arguments: ["-", "+1", ".5", "1.", "1e", "1e+", "-x", "", "a"])
    func malformedNumbersAreRefused(_ text: String) {
        var scanner = JSONScanner(Array(text.utf8))
        let number = scanner.number()
        #expect(number == nil)
    }

    /// A leading zero ends the token: "01" scans as "0" with "1" left over, which parsers reject.
    @Test func leadingZeroEndsTheNumber() throws {
        var scanner = JSONScanner(Array("01".utf8))
        let scanned = scanner.number()
        let number = try #require(scanned)
        #expect(Array(number.text) == Array("0".utf8))
        #expect(!scanner.isAtEnd)
    }

    @Test func literalsWhitespaceAndPunctuation() {
        var scanner = JSONScanner(Array(" \t\r\n true,false:null tru".utf8))
        scanner.skipWhitespace()
        var steps: [Bool] = []
        steps.append(scanner.literal("true"))
        steps.append(scanner.consume(UInt8(ascii: ",")))
        steps.append(!scanner.literal("true"))
        steps.append(scanner.literal("false"))
        steps.append(!scanner.consume(UInt8(ascii: ",")))
        steps.append(scanner.consume(UInt8(ascii: ":")))
        steps.append(scanner.literal("null"))
        scanner.skipWhitespace()
        steps.append(scanner.peek == UInt8(ascii: "t"))
        steps.append(!scanner.literal("true"))  // truncated
        steps.append(!scanner.isAtEnd)
        #expect(steps == Array(repeating: true, count: 10))
    }
}
