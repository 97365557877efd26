import OpenSSL

/// The `Basic` scheme of an `Authorization` header (RFC 7617): `base64(user:password)`.
/// Byte-level on purpose: client authentication on every confidential exchange and forward
/// auth with a PAT as a password run it.
public enum BasicAuthorization {
    public struct Malformed: Error, Sendable {}

    /// The raw user and password bytes (split at the first colon); `nil` for another scheme.
    /// Throws `Malformed` for a Basic value that is not base64 of `user:password`. Reads the
    /// header in place: the decoded bytes are the one allocation.
    public static func decode(_ header: String) throws(Malformed) -> (user: ArraySlice<UInt8>, password: ArraySlice<UInt8>)? {
        var header = header
        let decoded: [UInt8]?? = header.withUTF8 { bytes in
            guard bytes.count > 6, bytes[5] == UInt8(ascii: " "),
                  zip(bytes.prefix(5), "basic".utf8).allSatisfy({ $0 | 0x20 == $1 })
            else { return .none }
            return .some(standardBase64(UnsafeBufferPointer(rebasing: bytes[6...])))
        }
        guard let decoded else { return nil }
        guard let decoded, let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { throw Malformed() }
        return (decoded[..<colon], decoded[(colon + 1)...])
    }

    /// Standard base64 (spaces and `=` dropped) turned into unpadded base64url on the stack,
    /// then the strict decoder; `nil` when it is not base64.
    private static func standardBase64(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, input.count)) { encoded in
            var count = 0
            for byte in input where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "=") {
                switch byte {
                case UInt8(ascii: "+"): encoded[count] = UInt8(ascii: "-")
                case UInt8(ascii: "/"): encoded[count] = UInt8(ascii: "_")
                default: encoded[count] = byte
                }
                count += 1
            }
            return Base64URL.decode(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: encoded[..<count])))
        }
    }
}
