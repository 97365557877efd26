import OpenSSL

/// A cache key for a subject token: HMAC-SHA-256 under a per-process random key, kept as
/// 32 bytes inline (no heap allocation). The token itself is never a key (invariant 1 in docs/ARCHITECTURE.md).
struct TokenDigest: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init(_ bytes: [UInt8]) {
        func word(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        a = word(0); b = word(8); c = word(16); d = word(24)
    }

    /// A keyed digest maker; one per cache, with a fresh random key.
    struct Maker: Sendable {
        /// Set up once (`HMACKey`); wiped from memory when the cache is released.
        private let key: HMACKey

        init() throws {
            key = HMACKey(try SecureRandom.secretBytes(32))
        }

        func digest(_ token: String) -> TokenDigest {
            TokenDigest(key.mac(token.utf8))
        }
    }
}
