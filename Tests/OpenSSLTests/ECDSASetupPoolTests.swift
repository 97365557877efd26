import Crypto
import Foundation
import Testing

@testable import OpenSSL

/// ECDSA signatures from set-ups made ahead (`ECDSASetupPool`): valid for an independent
/// verifier, each with its own nonce, and the usual signature whenever the pool has none.
@Suite("ECDSA set-ups made ahead")
struct ECDSASetupPoolTests {
    init() {
        ECDSASetupPool.isEnabled = true  // off by default; other suites sign correctly either way
    }

    func sign(_ message: [UInt8], with pool: ECDSASetupPool, size: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: size)
        let length = message.withUnsafeBytes { input in output.withUnsafeMutableBytes { pool.sign(input, into: $0) } }
        guard let length else { return nil }
        #expect(length == size)
        return output
    }

    @Test func p256SignaturesFromSetupsVerifyWithSwiftCryptoAndNeverShareANonce() throws {
        let signer = P256.Signing.PrivateKey()
        let key = try PrivateKey(pem: signer.pemRepresentation)
        let pool = try #require(ECDSASetupPool(key: key.context.key, digestName: "SHA256", coordinateSize: 32))
        pool.fill()
        #expect(pool.count == ECDSASetupPool.capacity)
        var nonces = Set<[UInt8]>()
        for index in 0..<200 {
            let message = Array("claims \(index)".utf8)
            let raw = try #require(sign(message, with: pool, size: 64), "a filled pool signs with a set-up")
            let signature = try P256.Signing.ECDSASignature(rawRepresentation: raw)
            #expect(signer.publicKey.isValidSignature(signature, for: message))
            #expect(!signer.publicKey.isValidSignature(signature, for: Array("claims \(index + 1)".utf8)))
            #expect(key.verify(signature: raw, message: message))
            nonces.insert(Array(raw.prefix(32)))  // r = (k·G).x: equal r, equal nonce
        }
        #expect(nonces.count == 200)
    }

    @Test func p384SignaturesFromSetupsVerifyWithSwiftCrypto() throws {
        let signer = P384.Signing.PrivateKey()
        let key = try PrivateKey(pem: signer.pemRepresentation)
        let pool = try #require(ECDSASetupPool(key: key.context.key, digestName: "SHA384", coordinateSize: 48))
        pool.fill()
        let message = Array("an ES384 token".utf8)
        let raw = try #require(sign(message, with: pool, size: 96))
        #expect(signer.publicKey.isValidSignature(try P384.Signing.ECDSASignature(rawRepresentation: raw), for: message))
    }

    @Test func anEmptyPoolDefersToTheUsualSignatureAndIsFilledInTheBackground() async throws {
        let key = try PrivateKey.generate(.es256)
        let pool = try #require(ECDSASetupPool(key: key.context.key, digestName: "SHA256", coordinateSize: 32))
        #expect(sign(Array("first".utf8), with: pool, size: 64) == nil, "a new pool has no set-up and never waits for one")
        // That call woke the refiller; on an idle core it fills the pool.
        let deadline = ContinuousClock.now + .seconds(30)
        while pool.count < ECDSASetupPool.capacity, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(pool.count == ECDSASetupPool.capacity)
        #expect(sign(Array("second".utf8), with: pool, size: 64) != nil)
    }

    @Test func concurrentSignaturesOfOneKeyEachHaveTheirOwnNonce() async throws {
        let signer = P256.Signing.PrivateKey()
        let key = try PrivateKey(pem: signer.pemRepresentation)
        _ = try key.sign(Array("wake the refiller".utf8))
        let byTask = try await withThrowingTaskGroup(of: (Int, [[UInt8]]).self) { group in
            for task in 0..<8 {
                group.addTask {
                    (task, try (0..<250).map { round in try key.sign(Array("task \(task) round \(round)".utf8)) })
                }
            }
            return try await group.reduce(into: [Int: [[UInt8]]]()) { $0[$1.0] = $1.1 }
        }
        let signatures = byTask.values.flatMap { $0 }
        #expect(signatures.count == 2_000)
        #expect(Set(signatures.map { Array($0.prefix(32)) }).count == 2_000)
        for (task, raws) in byTask {
            for (round, raw) in raws.enumerated() where round % 25 == 0 {
                let message = Array("task \(task) round \(round)".utf8)
                #expect(signer.publicKey.isValidSignature(try P256.Signing.ECDSASignature(rawRepresentation: raw), for: message))
            }
        }
    }
}
