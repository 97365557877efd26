import OpenSSL

/// The `Basic` scheme of an `Authorization` header (RFC 7617): `base64(user:password)`.
/// Byte-level on purpose: client authentication on every confidential exchange and forward
/// auth with a PAT as a password run it.
public enum BasicAuthorization {
    public struct Malformed: Error, Sendable {}

    /// The raw user and password bytes (split at the first colon); `nil` for another scheme.
    /// Throws `Malformed` for a Basic value that is not base64 of `user:password`.
    public static func decode(_ header: String) throws(Malformed) -> (user: ArraySlice<UInt8>, password: ArraySlice<UInt8>)? {
        let bytes = Array(header.utf8)
        guard bytes.count > 6, bytes[5] == UInt8(ascii: " "),
              bytes[..<5].map({ $0 | 0x20 }) == Array("basic".utf8)
        else { return nil }
        // Standard base64 → unpadded base64url, then the strict decoder.
        var encoded: [UInt8] = []
        encoded.reserveCapacity(bytes.count - 6)
        for byte in bytes[6...] where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "=") {
            switch byte {
            case UInt8(ascii: "+"): encoded.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): encoded.append(UInt8(ascii: "_"))
            default: encoded.append(byte)
            }
        }
        guard let decoded = Base64URL.decode(String(decoding: encoded, as: UTF8.self)),
              let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else { throw Malformed() }
        return (decoded[..<colon], decoded[(colon + 1)...])
    }
}
