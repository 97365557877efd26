import Crypto
import Foundation
import OpenSSL
import Testing

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

@Suite("Digest, ConstantTime, SecureRandom")
struct DigestTests {
    @Test func sha256Vectors() {
        #expect(hex(Digest.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(Digest.sha256("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(Digest.sha256(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// RFC 4231 test cases 1, 2 and 6.
    @Test func hmacVectors() {
        #expect(
            hex(Digest.hmacSHA256(key: [UInt8](repeating: 0x0B, count: 20), data: "Hi There".utf8))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            hex(Digest.hmacSHA256(key: Array("Jefe".utf8), data: "what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            hex(
                Digest.hmacSHA256(
                    key: [UInt8](repeating: 0xAA, count: 131),
                    data: "Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func agreesWithSwiftCrypto() throws {
        for length in [0, 1, 55, 56, 63, 64, 65, 1000] {
            let data = try SecureRandom.bytes(length)
            let key = try SecureRandom.bytes(length % 97)
            #expect(Digest.sha256(data) == Array(SHA256.hash(data: data)))
            let mac = HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key))
            #expect(Digest.hmacSHA256(key: key, data: data) == Array(mac))
            #expect(Digest.sha256(data[...]) == Digest.sha256(data))
        }
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([], []))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([], [0]))
    }

    @Test func secureRandom() throws {
        #expect(try SecureRandom.bytes(0) == [])
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(try SecureRandom.bytes(100_000).count == 100_000)
    }

    /// The identifier pool hands each slice out once, across its refills and from many threads.
    @Test func identifierBytesAreNeverHandedOutTwice() async throws {
        let drawn = try await withThrowingTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<4 {
                group.addTask { try (0..<1_000).map { _ in try SecureRandom.identifierBytes(16) } }   // ~4 pool refills each
            }
            return try await group.reduce(into: [[UInt8]]()) { $0 += $1 }
        }
        #expect(drawn.count == 4_000)
        #expect(drawn.allSatisfy { $0.count == 16 })
        #expect(Set(drawn).count == 4_000)
        #expect(try SecureRandom.identifierBytes(0) == [])
        #expect(try SecureRandom.identifierBytes(10_000).count == 10_000)   // larger than the pool: drawn at once
    }
}
