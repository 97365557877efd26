/// The byte-level steps of `FlatXML`: names, attributes, comments, text runs.
struct XMLCursor {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[index] }

    func starts(with prefix: some Collection<UInt8>) -> Bool {
        bytes[index...].starts(with: prefix)
    }

    func starts(with prefix: String) -> Bool {
        starts(with: prefix.utf8)
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    mutating func skipSpace() {
        while let byte = peek, Self.isSpace(byte) { index += 1 }
    }

    mutating func skipSpaceAndComments() throws(FlatXMLError) {
        skipSpace()
        while starts(with: "<!--") {
            try skip(past: "-->")
            skipSpace()
        }
    }

    /// Moves past the next `terminator`.
    mutating func skip(past terminator: String) throws(FlatXMLError) {
        let end = Array(terminator.utf8)
        while !atEnd {
            if starts(with: end) {
                index += end.count
                return
            }
            index += 1
        }
        throw FlatXMLError("unterminated markup")
    }

    mutating func expect(_ byte: UInt8) throws(FlatXMLError) {
        guard peek == byte else { throw FlatXMLError("malformed tag") }
        index += 1
    }

    /// An element or attribute name (ASCII), returned without its namespace prefix.
    mutating func name() throws(FlatXMLError) -> String {
        let start = index
        while let byte = peek, Self.isNameByte(byte, first: index == start) { index += 1 }
        guard index > start else { throw FlatXMLError("malformed tag") }
        let name = bytes[start..<index]
        let local = name.lastIndex(of: UInt8(ascii: ":")).map { name[($0 + 1)...] } ?? name
        guard !local.isEmpty else { throw FlatXMLError("malformed tag") }
        return String(decoding: local, as: UTF8.self)
    }

    /// Skips `name="value"` pairs up to `>` or `/>`; returns whether the element is empty (`/>`).
    mutating func skipAttributes() throws(FlatXMLError) -> Bool {
        while true {
            let spaced = peek.map(Self.isSpace) ?? false
            skipSpace()
            if starts(with: "/>") {
                index += 2
                return true
            }
            if peek == UInt8(ascii: ">") {
                index += 1
                return false
            }
            guard spaced else { throw FlatXMLError("malformed tag") }
            _ = try name()
            skipSpace()
            try expect(UInt8(ascii: "="))
            skipSpace()
            guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw FlatXMLError("malformed attribute")
            }
            index += 1
            while let byte = peek, byte != quote {
                guard byte != UInt8(ascii: "<") else { throw FlatXMLError("malformed attribute") }
                index += 1
            }
            try expect(quote)
        }
    }

    /// The raw bytes up to the next `<`.
    mutating func text() -> ArraySlice<UInt8> {
        let start = index
        while let byte = peek, byte != UInt8(ascii: "<") { index += 1 }
        return bytes[start..<index]
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"), UInt8(ascii: ":"):
            return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return !first
        default:
            return false
        }
    }
}
