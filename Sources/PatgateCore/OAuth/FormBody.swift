import JSON

/// An `application/x-www-form-urlencoded` body (WHATWG URL standard, as RFC 6749 §B uses it).
///
/// Parsing works on raw bytes with concrete types (no generic collection crosses the module
/// boundary, which would cost a metadata lookup per call on the hot path) and allocates one
/// string per name and value. Invalid percent escapes and invalid UTF-8 are errors, not
/// silently replaced, so that a secret is never compared in a mangled form.
public struct FormBody: Sendable {
    /// One `name=value` pair, decoded.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public private(set) var fields: [Field] = []

    public init(parsing body: [UInt8]) throws(OAuthError) {
        self = try body.withUnsafeBytes { bytes in
            Result { () throws(OAuthError) in try FormBody(parsing: bytes) }
        }.get()
    }

    public init(parsing body: UnsafeRawBufferPointer) throws(OAuthError) {
        fields.reserveCapacity(body.reduce(1) { $1 == UInt8(ascii: "&") ? $0 + 1 : $0 })
        var start = 0
        let end = body.count
        while start < end {
            var stop = start
            while stop < end && body[stop] != UInt8(ascii: "&") { stop += 1 }
            if stop > start {
                var equals = start
                while equals < stop && body[equals] != UInt8(ascii: "=") { equals += 1 }
                let name = try Self.decode(UnsafeRawBufferPointer(rebasing: body[start..<equals]))
                let value = equals < stop
                    ? try Self.decode(UnsafeRawBufferPointer(rebasing: body[(equals + 1)..<stop])) : ""
                fields.append(Field(name: name, value: value))
            }
            start = stop + 1
        }
    }

    /// The same body without the named parameters.
    public func removing(_ names: Set<String>) -> FormBody {
        var copy = self
        copy.fields.removeAll { names.contains($0.name) }
        return copy
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

    /// Percent-decodes one name or value (`+` is a space). One allocation at most: the bytes
    /// are decoded on the stack, and a string of up to 15 bytes needs none.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(OAuthError) -> String {
        let decoded = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, bytes.count)) { output in
            Result { () throws(OAuthError) -> String in
                var count = 0
                var index = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "+") {
                        output[count] = UInt8(ascii: " ")
                    } else if byte == UInt8(ascii: "%") {
                        guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                            throw .invalidRequest("the form body has an invalid percent-escape")
                        }
                        output[count] = high << 4 | low
                        index += 2
                    } else {
                        output[count] = byte
                    }
                    count += 1
                    index += 1
                }
                let decoded = UnsafeBufferPointer(rebasing: output[..<count])
                guard let string = String(utf8Validating: decoded) else {
                    throw .invalidRequest("the form body is not valid UTF-8")
                }
                return string
            }
        }
        return try decoded.get()
    }

    static func decode(_ bytes: ArraySlice<UInt8>) throws(OAuthError) -> String {
        try bytes.withUnsafeBytes { raw in Result { () throws(OAuthError) in try decode(raw) } }.get()
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
