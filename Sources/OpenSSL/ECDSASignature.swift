/// Conversion between OpenSSL's DER `ECDSA-Sig-Value` and the JWS form
/// (RFC 7518 §3.4): R and S as fixed-size big-endian integers, concatenated.
enum ECDSASignature {
    /// Writes R||S (each `coordinateSize` bytes, left-padded) for a DER signature
    /// into `output`, which must hold `2 * coordinateSize` bytes.
    /// Returns `false` if `der` is not a well-formed signature of that size.
    static func rawFromDER(
        _ der: UnsafeRawBufferPointer, coordinateSize: Int, into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard output.count >= 2 * coordinateSize, der.count >= 8, der[0] == 0x30 else { return false }
        var index = 1
        guard let sequenceLength = readLength(der, &index), index + sequenceLength == der.count else { return false }
        for part in 0..<2 {
            guard index < der.count, der[index] == 0x02 else { return false }
            index += 1
            guard var length = readLength(der, &index), length > 0, index + length <= der.count else { return false }
            // Skip the sign-padding zeros; what remains must fit the coordinate.
            while length > 1, der[index] == 0 {
                index += 1
                length -= 1
            }
            guard length <= coordinateSize else { return false }
            let base = part * coordinateSize
            let pad = coordinateSize - length
            for i in 0..<pad { output[base + i] = 0 }
            for i in 0..<length { output[base + pad + i] = der[index + i] }
            index += length
        }
        return index == der.count
    }

    /// The DER encoding of a raw R||S signature, or `nil` if its length is not `2 * coordinateSize`.
    static func derFromRaw(_ raw: [UInt8], coordinateSize: Int) -> [UInt8]? {
        guard raw.count == 2 * coordinateSize else { return nil }
        let r = integerBody(raw[0..<coordinateSize])
        let s = integerBody(raw[coordinateSize...])
        let body = 2 + r.count + 2 + s.count
        var der: [UInt8] = [0x30]
        der.reserveCapacity(body + 3)
        if body >= 0x80 { der.append(0x81) }  // at most 2 * (2 + 67) bytes for P-521-sized values
        der.append(UInt8(body))
        der += [0x02, UInt8(r.count)] + r
        der += [0x02, UInt8(s.count)] + s
        return der
    }

    /// Minimal two's-complement body of a non-negative big-endian integer.
    private static func integerBody(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        let trimmed = bytes.drop { $0 == 0 }
        guard let first = trimmed.first else { return [0] }
        return first & 0x80 != 0 ? [0] + trimmed : Array(trimmed)
    }

    /// Reads a DER length (short form, or long form of one byte) at `index`.
    private static func readLength(_ der: UnsafeRawBufferPointer, _ index: inout Int) -> Int? {
        guard index < der.count else { return nil }
        let first = der[index]
        index += 1
        if first < 0x80 { return Int(first) }
        guard first == 0x81, index < der.count, der[index] >= 0x80 else { return nil }
        defer { index += 1 }
        return Int(der[index])
    }
}
