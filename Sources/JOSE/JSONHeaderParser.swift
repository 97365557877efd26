import JSON

/// A strict parser for a JWS protected header: one JSON object (RFC 8259).
///
/// Returns the string-valued members and all member names; other values are
/// validated and skipped. Tokens come from the package's one `JSONScanner`.
/// Duplicate member names are rejected (RFC 7515 §5.2 allows that), as is any
/// trailing content. Only used when verifying, never on the signing path.
struct JSONHeaderParser {
    private var scanner: JSONScanner
    /// Nesting limit for skipped values.
    private static let maximumDepth = 16

    /// A parsed header object.
    struct Header {
        /// Members whose value is a string.
        var strings: [String: String] = [:]
        /// Every member name, whatever its value.
        var names: Set<String> = []
    }

    /// The parsed header, or `nil` if `bytes` is not a single valid JSON object.
    static func parse(_ bytes: [UInt8]) -> Header? {
        var parser = JSONHeaderParser(scanner: JSONScanner(bytes))
        parser.scanner.skipWhitespace()
        guard let header = parser.object() else { return nil }
        parser.scanner.skipWhitespace()
        return parser.scanner.isAtEnd ? header : nil
    }

    private mutating func object() -> Header? {
        guard scanner.consume(UInt8(ascii: "{")) else { return nil }
        var header = Header()
        scanner.skipWhitespace()
        if scanner.consume(UInt8(ascii: "}")) { return header }
        while true {
            scanner.skipWhitespace()
            guard let name = scanner.string(), header.names.insert(name).inserted else { return nil }
            scanner.skipWhitespace()
            guard scanner.consume(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            if scanner.peek == UInt8(ascii: "\"") {
                guard let value = scanner.string() else { return nil }
                header.strings[name] = value
            } else {
                guard skipValue(depth: 1) else { return nil }
            }
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: ",")) { continue }
            return scanner.consume(UInt8(ascii: "}")) ? header : nil
        }
    }

    /// Validates and skips any JSON value.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth <= JSONHeaderParser.maximumDepth, let first = scanner.peek else { return false }
        switch first {
        case UInt8(ascii: "\""):
            return scanner.string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = first == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            _ = scanner.consume(first)
            scanner.skipWhitespace()
            if scanner.consume(close) { return true }
            while true {
                scanner.skipWhitespace()
                if first == UInt8(ascii: "{") {
                    guard scanner.string() != nil else { return false }
                    scanner.skipWhitespace()
                    guard scanner.consume(UInt8(ascii: ":")) else { return false }
                    scanner.skipWhitespace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                scanner.skipWhitespace()
                if scanner.consume(UInt8(ascii: ",")) { continue }
                return scanner.consume(close)
            }
        case UInt8(ascii: "t"): return scanner.literal("true")
        case UInt8(ascii: "f"): return scanner.literal("false")
        case UInt8(ascii: "n"): return scanner.literal("null")
        default: return scanner.number() != nil
        }
    }
}
