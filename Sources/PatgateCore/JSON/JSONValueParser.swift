import JSON

/// A strict, allocation-light JSON (RFC 8259) parser into `JSONValue`, for the cache-miss path
/// (one RFC 7662 answer per new PAT), where Foundation's `JSONDecoder` into
/// `[String: JSONValue]` cost more than the rest of the answer's handling.
///
/// Tokens come from the package's one `JSONScanner`. Integers that fit `Int64` (no fraction,
/// no exponent) become `.integer`, other numbers `.number`. Duplicate member names, trailing
/// content, control characters in strings, bad UTF-8 and nesting deeper than 32 are rejected
/// (`nil`): a confused upstream fails closed.
public struct JSONValueParser {
    private var scanner: JSONScanner
    private static let maximumDepth = 32

    /// The name of a member found twice in one object, when that is why parsing failed.
    private var duplicate: String?

    /// The value of `bytes`, or `nil` unless it is exactly one valid JSON value.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        var duplicate: String?
        return parse(bytes, duplicate: &duplicate)
    }

    /// As `parse(_:)`; when the value is refused because an object names a member twice,
    /// `duplicate` is set to that member's name (so a caller can say which one).
    public static func parse(_ bytes: [UInt8], duplicate: inout String?) -> JSONValue? {
        var parser = JSONValueParser(scanner: JSONScanner(bytes))
        defer { duplicate = parser.duplicate }
        parser.scanner.skipWhitespace()
        guard let value = parser.value(depth: 1) else { return nil }
        parser.scanner.skipWhitespace()
        return parser.scanner.isAtEnd ? value : nil
    }

    private mutating func value(depth: Int) -> JSONValue? {
        guard depth <= Self.maximumDepth, let first = scanner.peek else { return nil }
        switch first {
        case UInt8(ascii: "\""): return scanner.string().map(JSONValue.string)
        case UInt8(ascii: "{"): return object(depth: depth)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "t"): return scanner.literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return scanner.literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return scanner.literal("null") ? .null : nil
        default: return number()
        }
    }

    private mutating func object(depth: Int) -> JSONValue? {
        _ = scanner.consume(UInt8(ascii: "{"))
        var members: [String: JSONValue] = [:]
        scanner.skipWhitespace()
        if scanner.consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            scanner.skipWhitespace()
            guard let name = scanner.string() else { return nil }
            scanner.skipWhitespace()
            guard scanner.consume(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            guard let member = value(depth: depth + 1) else { return nil }
            guard members.updateValue(member, forKey: name) == nil else {
                duplicate = name
                return nil
            }
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: ",")) { continue }
            return scanner.consume(UInt8(ascii: "}")) ? .object(members) : nil
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        _ = scanner.consume(UInt8(ascii: "["))
        var elements: [JSONValue] = []
        scanner.skipWhitespace()
        if scanner.consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            scanner.skipWhitespace()
            guard let element = value(depth: depth + 1) else { return nil }
            elements.append(element)
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: ",")) { continue }
            return scanner.consume(UInt8(ascii: "]")) ? .array(elements) : nil
        }
    }

    private mutating func number() -> JSONValue? {
        guard let token = scanner.number() else { return nil }
        let text = String(decoding: token.text, as: UTF8.self)
        if token.isIntegral, let value = Int64(text) { return .integer(value) }
        return Double(text).map(JSONValue.number)
    }
}
