extension SecretBytes {
    /// The whole file at `path` (at most 1 MiB), read without leaving an unwiped copy behind.
    /// - Throws: `CryptoError` `.ioFailed` naming the path.
    public init(contentsOfFile path: String) throws {
        self = try PEMReader.readFile(path)
    }

    /// The bytes that this value's text encodes as unpadded base64url, ignoring ASCII whitespace
    /// around it (a key file's final newline), as `SecretBytes`; `nil` unless it is strict
    /// base64url (see `Base64URL.decode(_:)`). No unwiped copy is made on either path.
    public func base64URLDecoded() -> SecretBytes? {
        withUnsafeBytes { text in
            var start = 0
            var end = text.count
            while start < end, Self.isASCIIWhitespace(text[start]) { start += 1 }
            while end > start, Self.isASCIIWhitespace(text[end - 1]) { end -= 1 }
            let input = UnsafeRawBufferPointer(rebasing: text[start..<end])
            guard let length = Base64URL.decodedLength(input.count) else { return nil }
            var decoded = SecretBytes(capacity: length)
            var valid = false
            decoded.appendInPlace { output in
                valid = Base64URL.decode(input, into: output)
                return valid ? length : 0
            }
            return valid ? decoded : nil
        }
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
