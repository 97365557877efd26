import OpenSSL

/// The PAT value format: `<prefix>_<27 base62 characters><6 base62 checksum characters>`.
///
/// 27 characters drawn uniformly from 62 carry 160.7 random bits. The checksum (CRC-32 of
/// the random part) lets secret scanners find leaked tokens and lets the gateway reject a
/// mistyped token without asking the store, as GitHub's token format does.
public struct PATFormat: Sendable, Equatable {
    public let prefix: String
    static let randomLength = 27
    static let checksumLength = 6
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `prefix` is 1–16 characters of `[a-z0-9]`.
    public init?(prefix: String) {
        guard (1...16).contains(prefix.utf8.count),
              prefix.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        self.prefix = prefix
    }

    public func generate() throws -> String {
        var random: [UInt8] = []
        random.reserveCapacity(Self.randomLength)
        while random.count < Self.randomLength {
            for byte in try SecureRandom.bytes(64) where byte < 248 && random.count < Self.randomLength {
                random.append(Self.alphabet[Int(byte % 62)])   // 248 = 4 × 62: no modulo bias
            }
        }
        return prefix + "_" + String(decoding: random + Self.checksum(random), as: UTF8.self)
    }

    /// Prefix, length, alphabet and checksum all fit.
    public func isWellFormed(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        let prefixBytes = Array(prefix.utf8)
        guard bytes.count == prefixBytes.count + 1 + Self.randomLength + Self.checksumLength,
              bytes.starts(with: prefixBytes), bytes[prefixBytes.count] == UInt8(ascii: "_")
        else { return false }
        let body = bytes[(prefixBytes.count + 1)...]
        guard body.allSatisfy({ Self.alphabet.contains($0) }) else { return false }
        let random = Array(body.prefix(Self.randomLength))
        return Array(body.suffix(Self.checksumLength)) == Self.checksum(random)
    }

    static func checksum(_ random: [UInt8]) -> [UInt8] {
        var value = CRC32.checksum(random)
        var digits = [UInt8](repeating: alphabet[0], count: checksumLength)
        for index in stride(from: checksumLength - 1, through: 0, by: -1) {
            digits[index] = alphabet[Int(value % 62)]
            value /= 62
        }
        return digits
    }
}
