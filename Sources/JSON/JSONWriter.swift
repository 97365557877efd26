/// A small, allocation-lean JSON writer for the hot path (JWS headers, JWT claims, token
/// responses), so that no Foundation encoder is needed.
///
/// It writes compact JSON with RFC 8259 §7 string escaping; it does not validate nesting,
/// which callers get right by construction.
public struct JSONWriter: Sendable {
    /// The JSON written so far (UTF-8).
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    /// An empty writer whose buffer first reserves `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// `{`; members follow as `key` then a value, or as `field`/`member`.
    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    /// `}`.
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    /// `[`; elements follow as values.
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    /// `]`.
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// A member name and its `:`; the value comes next.
    public mutating func key(_ name: String) {
        separator()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A string value, escaped as RFC 8259 §7 requires.
    public mutating func value(_ string: String) { separator(); appendString(string); needsComma = true }
    /// An integer value.
    public mutating func value(_ number: Int64) { separator(); appendInteger(number); needsComma = true }
    /// `true` or `false`.
    public mutating func value(_ flag: Bool) { separator(); bytes.append(contentsOf: flag ? Self.trueBytes : Self.falseBytes); needsComma = true }
    /// Appends bytes that are already valid JSON.
    public mutating func raw(_ json: [UInt8]) { separator(); bytes.append(contentsOf: json); needsComma = true }
    /// `null`.
    public mutating func null() { separator(); bytes.append(contentsOf: Self.nullBytes); needsComma = true }

    /// `"name":` and a string value.
    public mutating func field(_ name: String, _ string: String) { key(name); value(string) }
    /// `"name":` and an integer value.
    public mutating func field(_ name: String, _ number: Int64) { key(name); value(number) }
    /// `"name":` and `true` or `false`.
    public mutating func field(_ name: String, _ flag: Bool) { key(name); value(flag) }
    /// `"name":` and a string value, or `null` when `value` is `nil`.
    public mutating func nullable(_ name: String, _ value: String?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }
    /// A line feed after the value: one JSON Lines record ends.
    public mutating func endLine() { bytes.append(0x0A); needsComma = false }
    /// `"name":"value"`, or nothing when `value` is `nil`.
    public mutating func member(_ name: String, _ value: String?) {
        if let value { field(name, value) }
    }

    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8)
    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most values (a JWT, a scope, a URL) need no escape: copy them in one go.
        let copied = string.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        } ?? false
        if !copied { appendEscaped(string) }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ string: String) {
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
    }

    private mutating func appendInteger(_ number: Int64) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }
}
