/// An `application/x-www-form-urlencoded` body (WHATWG URL standard, as RFC 6749 §B uses it).
///
/// Parsing works on bytes and allocates one string per name and value. Invalid percent
/// escapes and invalid UTF-8 are errors, not silently replaced, so that a secret is never
/// compared in a mangled form.
public struct FormBody: Sendable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    public init(parsing body: some Collection<UInt8>) throws(OAuthError) {
        var start = body.startIndex
        while start != body.endIndex {
            let end = body[start...].firstIndex(of: UInt8(ascii: "&")) ?? body.endIndex
            let pair = body[start..<end]
            if !pair.isEmpty {
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
                let name = try Self.decode(pair[pair.startIndex..<equals])
                let value = equals == pair.endIndex ? "" : try Self.decode(pair[pair.index(after: equals)...])
                fields.append((name, value))
            }
            start = end == body.endIndex ? end : body.index(after: end)
        }
    }

    /// All values of a parameter, in order.
    public func values(_ name: String) -> [String] {
        fields.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The single value of a parameter; a repeated parameter is an error (RFC 6749 §3.2),
    /// an empty value counts as absent.
    public func single(_ name: String) throws(OAuthError) -> String? {
        var found: String?
        for field in fields where field.name == name {
            if found != nil { throw .invalidRequest("parameter '\(name)' is repeated") }
            found = field.value
        }
        return found?.isEmpty == true ? nil : found
    }

    static func decode(_ bytes: some Collection<UInt8>) throws(OAuthError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = bytes.index(after: index)
                guard high != bytes.endIndex, bytes.index(after: high) != bytes.endIndex,
                      let h = hexValue(bytes[high]), let l = hexValue(bytes[bytes.index(after: high)])
                else { throw .invalidRequest("the form body has an invalid percent-escape") }
                output.append(h << 4 | l)
                index = bytes.index(after: high)
            default:
                output.append(byte)
            }
            index = bytes.index(after: index)
        }
        guard let string = String(validating: output, as: UTF8.self) else {
            throw .invalidRequest("the form body is not valid UTF-8")
        }
        return string
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
