/// Unpadded base64url (RFC 4648 §5), as JWS and JWK use it.
///
/// Hand-written and table-driven because it sits on the token-minting hot path.
/// `decode` is strict: it rejects padding, characters outside the base64url
/// alphabet, impossible lengths (4n+1), and non-zero trailing bits, so every
/// byte string has exactly one accepted encoding.
public enum Base64URL {
    @usableFromInline
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 0xFF marks a byte that is not in the alphabet.
    static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, char) in alphabet.enumerated() { table[Int(char)] = UInt8(value) }
        return table
    }()

    /// The length of the unpadded encoding of `count` bytes.
    @inlinable
    package static func encodedLength(_ count: Int) -> Int {
        (count / 3) * 4 + [0, 2, 3][count % 3]
    }

    /// Encodes bytes as unpadded base64url.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        if let string = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) {
            return string
        }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// The unpadded base64url encoding of `input`.
    package static func encode(_ input: UnsafeRawBufferPointer) -> String {
        let length = encodedLength(input.count)
        return String(unsafeUninitializedCapacity: length) { output in
            encode(input, into: UnsafeMutableRawBufferPointer(output))
        }
    }

    /// Writes the encoding of `input` to the start of `output`, which must hold
    /// `encodedLength(input.count)` bytes; returns the number of bytes written.
    @discardableResult
    package static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        let length = encodedLength(input.count)
        precondition(output.count >= length, "Base64URL output buffer too small")
        return alphabet.withUnsafeBufferPointer { table in
            var i = 0
            var o = 0
            let whole = input.count - input.count % 3
            while i < whole {
                let b0 = Int(input[i]), b1 = Int(input[i + 1]), b2 = Int(input[i + 2])
                output[o] = table[b0 >> 2]
                output[o + 1] = table[((b0 & 0x03) << 4) | (b1 >> 4)]
                output[o + 2] = table[((b1 & 0x0F) << 2) | (b2 >> 6)]
                output[o + 3] = table[b2 & 0x3F]
                i += 3
                o += 4
            }
            switch input.count - whole {
            case 1:
                let b0 = Int(input[i])
                output[o] = table[b0 >> 2]
                output[o + 1] = table[(b0 & 0x03) << 4]
                o += 2
            case 2:
                let b0 = Int(input[i]), b1 = Int(input[i + 1])
                output[o] = table[b0 >> 2]
                output[o + 1] = table[((b0 & 0x03) << 4) | (b1 >> 4)]
                output[o + 2] = table[(b1 & 0x0F) << 2]
                o += 3
            default:
                break
            }
            return o
        }
    }

    /// Decodes unpadded base64url, or returns `nil` for anything that is not
    /// the canonical encoding of some byte string.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        if let result = string.utf8.withContiguousStorageIfAvailable({ decode(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(string.utf8).withUnsafeBytes { decode($0) }
    }

    /// The bytes `input` encodes, or `nil` unless it is strict unpadded base64url; see `decode(_:)`.
    package static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let length = decodedLength(input.count) else { return nil }
        var valid = true
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            valid = decode(input, into: UnsafeMutableRawBufferPointer(output))
            initialized = valid ? length : 0
        }
        return valid ? bytes : nil
    }

    /// The length of what `count` characters of unpadded base64url decode to, or `nil` for an
    /// impossible length (4n+1).
    package static func decodedLength(_ count: Int) -> Int? {
        let tail = count % 4
        return tail == 1 ? nil : (count / 4) * 3 + (tail == 0 ? 0 : tail - 1)
    }

    /// Decodes `input` into the start of `output`, which must hold `decodedLength(input.count)`
    /// bytes; `false` unless `input` is strict unpadded base64url (then `output` holds garbage).
    package static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard let length = decodedLength(input.count) else { return false }
        precondition(output.count >= length, "Base64URL output buffer too small")
        let tail = input.count % 4
        return reverse.withUnsafeBufferPointer { table in
            var i = 0
            var o = 0
            let whole = input.count - tail
            while i < whole {
                let c0 = table[Int(input[i])], c1 = table[Int(input[i + 1])]
                let c2 = table[Int(input[i + 2])], c3 = table[Int(input[i + 3])]
                if (c0 | c1 | c2 | c3) & 0x80 != 0 { return false }
                output[o] = (c0 << 2) | (c1 >> 4)
                output[o + 1] = (c1 << 4) | (c2 >> 2)
                output[o + 2] = (c2 << 6) | c3
                i += 4
                o += 3
            }
            if tail >= 2 {
                let c0 = table[Int(input[i])], c1 = table[Int(input[i + 1])]
                let c2 = tail == 3 ? table[Int(input[i + 2])] : 0
                if (c0 | c1 | c2) & 0x80 != 0 { return false }
                output[o] = (c0 << 2) | (c1 >> 4)
                if tail == 2 {
                    if c1 & 0x0F != 0 { return false }  // non-canonical trailing bits
                } else {
                    output[o + 1] = (c1 << 4) | (c2 >> 2)
                    if c2 & 0x03 != 0 { return false }
                }
            }
            return true
        }
    }
}
