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
    /// Each byte's place in `alphabet`, or -1: the check runs on every introspection, twice.
    private static let places: [Int8] = (0...255).map { byte in
        alphabet.firstIndex(of: UInt8(byte)).map { Int8($0) } ?? -1
    }

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

    /// Prefix, length, alphabet and checksum all fit. Reads the value in place, without a copy.
    public func isWellFormed(_ value: String) -> Bool {
        let prefixLength = prefix.utf8.count
        let bodyStart = prefixLength + 1
        var value = value
        return value.withUTF8 { bytes in
            guard bytes.count == bodyStart + Self.randomLength + Self.checksumLength,
                  bytes.starts(with: prefix.utf8), bytes[prefixLength] == UInt8(ascii: "_"),
                  bytes[bodyStart...].allSatisfy({ Self.places[Int($0)] >= 0 })
            else { return false }
            // The checksum is the random part's CRC-32 in base 62, most significant digit first:
            // compared from its last digit on.
            var crc = CRC32.checksum(bytes[bodyStart..<(bodyStart + Self.randomLength)])
            for index in stride(from: bytes.count - 1, through: bytes.count - Self.checksumLength, by: -1) {
                guard Int(Self.places[Int(bytes[index])]) == Int(crc % 62) else { return false }
                crc /= 62
            }
            return true
        }
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
