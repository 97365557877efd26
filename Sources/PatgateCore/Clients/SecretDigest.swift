import OpenSSL

/// The SHA-256 digest of a high-entropy client secret, compared in constant time.
///
/// Client secrets are generated machine secrets, so one fast hash is the right tool here
/// (a password hash per request would cost more than the whole exchange).
/// The digest is held as `SecretBytes`, wiped when the last copy is released.
public struct SecretDigest: Sendable, Equatable {
    private let digest: SecretBytes

    public init(hashing secret: String) {
        var bytes = Digest.sha256(Array(secret.utf8))
        digest = SecretBytes(wiping: &bytes)
    }

    /// `hex` is 64 hexadecimal characters, as `sha256sum` prints them.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)  // no reallocation: only `bytes` needs wiping
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        digest = SecretBytes(wiping: &bytes)
    }

    public func matches(_ secret: String) -> Bool {
        var secret = secret   // hashed in place: no copy of the secret is left in freed memory
        return secret.withUTF8 { digest.constantTimeEquals(Digest.sha256(UnsafeRawBufferPointer($0))) }
    }

    public var hex: String {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        digest.withUnsafeBytes { bytes in
            for byte in bytes {
                out.append(table[Int(byte >> 4)])
                out.append(table[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
