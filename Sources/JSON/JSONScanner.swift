/// The one JSON (RFC 8259) lexer of the package: whitespace, punctuation, literals, numbers and
/// strings (with every escape, `\u` surrogate pairs included) over UTF-8 bytes.
///
/// Parsers build their grammar on top of it (`JOSE`'s JWS header parser, `PatgateCore`'s
/// `JSONValueParser`); each decides what it accepts beyond single tokens (duplicate names,
/// nesting depth). Every scanning method either consumes one whole token and returns it, or
/// returns `nil`/`false`, after which the input must be rejected (the position is unspecified).
package struct JSONScanner {
    /// The input.
    package let bytes: [UInt8]
    /// The position of the next unread byte.
    package internal(set) var index = 0

    /// A number token: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    package struct Number {
        /// The token's bytes, e.g. `-1.5e3`.
        package let text: ArraySlice<UInt8>
        /// Whether the token has neither a fraction nor an exponent.
        package let isIntegral: Bool
    }

    /// A scanner positioned at the first byte of `bytes`.
    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte has been read.
    package var isAtEnd: Bool { index == bytes.count }

    /// The next byte, not consumed; `nil` at the end.
    package var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Consumes `byte` if it is next.
    package mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// Skips JSON whitespace: space, tab, line feed, carriage return.
    package mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// Consumes the ASCII `word` (`true`, `false`, `null`) if it is next.
    package mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { return false }
        index += count
        return true
    }

    /// Consumes a number token; `nil` if what follows is not one.
    package mutating func number() -> Number? {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if !consume(UInt8(ascii: "0")) {
            guard let byte = peek, byte >= UInt8(ascii: "1"), byte <= UInt8(ascii: "9") else { return nil }
            _ = digits()
        }
        var integral = true
        if consume(UInt8(ascii: ".")) {
            integral = false
            guard digits() > 0 else { return nil }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            integral = false
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard digits() > 0 else { return nil }
        }
        return Number(text: bytes[start..<index], isIntegral: integral)
    }

    private mutating func digits() -> Int {
        let start = index
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }
}
