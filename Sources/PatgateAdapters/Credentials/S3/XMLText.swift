/// Character data of an XML element: entity and character references decoded, the rest
/// checked to be UTF-8 of XML characters.
enum XMLText {
    static func decode(_ raw: [UInt8]) throws(FlatXMLError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            if byte == UInt8(ascii: "&") {
                guard let end = raw[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                    throw FlatXMLError("a bare & in text")
                }
                let scalar = try reference(raw[(index + 1)..<end])
                out += Array(String(Character(scalar)).utf8)
                index = end + 1
                continue
            }
            guard byte >= 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else {
                throw FlatXMLError("a control character in text")
            }
            out.append(byte)
            index += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw FlatXMLError("text is not UTF-8") }
        return text
    }

    /// `lt`, `gt`, `amp`, `quot`, `apos`, `#123` or `#x7B`.
    private static func reference(_ name: ArraySlice<UInt8>) throws(FlatXMLError) -> Unicode.Scalar {
        switch String(decoding: name, as: UTF8.self) {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        case let other where other.hasPrefix("#x"):
            return try character(UInt32(other.dropFirst(2), radix: 16))
        case let other where other.hasPrefix("#"):
            return try character(UInt32(other.dropFirst(), radix: 10))
        default:
            throw FlatXMLError("an unknown entity in text")
        }
    }

    /// XML 1.0 `Char`: tab, newline, carriage return, and U+0020 and above except surrogates, U+FFFE and U+FFFF.
    private static func character(_ value: UInt32?) throws(FlatXMLError) -> Unicode.Scalar {
        guard let value, value == 0x09 || value == 0x0A || value == 0x0D || (value >= 0x20 && value != 0xFFFE && value != 0xFFFF),
              let scalar = Unicode.Scalar(value) else {
            throw FlatXMLError("a character reference to a character XML does not allow")
        }
        return scalar
    }
}
