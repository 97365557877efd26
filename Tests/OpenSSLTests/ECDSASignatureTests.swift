import Crypto
import CryptoTestSupport
import Foundation
import Testing

@testable import OpenSSL

/// DER <-> raw R||S edge cases (RFC 7518 §3.4), which random signatures hit only rarely.
@Suite("ECDSA signature conversion")
struct ECDSASignatureTests {
    func raw(fromDER der: [UInt8], size: Int = 32) -> [UInt8]? {
        var output = [UInt8](repeating: 0xEE, count: 2 * size)
        let ok = der.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { ECDSASignature.rawFromDER(input, coordinateSize: size, into: $0) }
        }
        return ok ? output : nil
    }

    @Test func matchesSwiftCryptoForEdgeValues() throws {
        let values: [[UInt8]] = [
            [UInt8](repeating: 0xFF, count: 32),  // high bit set: DER needs a leading zero
            [0] + [UInt8](repeating: 0x7F, count: 31),  // one leading zero: DER is shorter
            [UInt8](repeating: 0, count: 31) + [1],  // tiny
            [0, 0, 0x80] + [UInt8](repeating: 1, count: 29),
        ]
        for r in values {
            for s in values {
                let swiftCrypto = try P256.Signing.ECDSASignature(rawRepresentation: r + s)
                let der = Array(swiftCrypto.derRepresentation)
                #expect(ECDSASignature.derFromRaw(r + s, coordinateSize: 32) == der)
                #expect(raw(fromDER: der) == r + s)
            }
        }
    }

    @Test func rejectsMalformedDER() {
        let good = ECDSASignature.derFromRaw([UInt8](repeating: 1, count: 64), coordinateSize: 32)!
        #expect(raw(fromDER: good) != nil)
        #expect(raw(fromDER: []) == nil)
        #expect(raw(fromDER: Array(good.dropLast())) == nil)
        #expect(raw(fromDER: good + [0]) == nil)
        var wrongTag = good
        wrongTag[0] = 0x31
        #expect(raw(fromDER: wrongTag) == nil)
        // A 33-byte integer without a sign byte does not fit P-256.
        let tooLong: [UInt8] = [0x30, 0x26, 0x02, 0x21] + [UInt8](repeating: 0x11, count: 33) + [0x02, 0x01, 0x01]
        #expect(raw(fromDER: tooLong) == nil)
        #expect(ECDSASignature.derFromRaw([1, 2, 3], coordinateSize: 32) == nil)
    }

    /// Many real signatures: about 1 in 128 has a short R or S, half have the high bit set.
    @Test func manySignaturesVerifyIndependently() throws {
        let key = try PrivateKey.generate(.es256)
        guard case .ec(_, let x, let y) = try key.publicKeyComponents() else {
            Issue.record("a P-256 key has EC components")
            return
        }
        let publicKey = try P256.Signing.PublicKey(rawRepresentation: x + y)
        for i in 0..<600 {
            let message = Array("message \(i)".utf8)
            let signature = try key.sign(message)
            #expect(signature.count == 64)
            let ecdsa = try P256.Signing.ECDSASignature(rawRepresentation: signature)
            #expect(publicKey.isValidSignature(ecdsa, for: message))
        }
    }

    /// swift-crypto signs, our `verify` accepts, for a key swift-crypto made and we load from its PEM.
    @Test func verifiesSwiftCryptoSignatures() throws {
        let p256 = P256.Signing.PrivateKey()
        let p384 = P384.Signing.PrivateKey()
        let ed = Curve25519.Signing.PrivateKey()
        let ours256 = try PrivateKey(pem: p256.pemRepresentation)
        let ours384 = try PrivateKey(pem: p384.pemRepresentation)
        #expect(ours256.algorithm == .es256 && ours384.algorithm == .es384)
        for i in 0..<50 {
            let message = Array("from swift-crypto \(i)".utf8)
            let s256 = Array(try p256.signature(for: message).rawRepresentation)
            #expect(ours256.verify(signature: s256, message: message))
            #expect(!ours256.verify(signature: s256, message: message + [0]))
            let s384 = Array(try p384.signature(for: message).rawRepresentation)
            #expect(ours384.verify(signature: s384, message: message))
        }
        // Ed25519: the same 32-byte public key, and its signatures verify with ours.
        let edPEM = "-----BEGIN PRIVATE KEY-----\n"
            + (Data([0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])
                + ed.rawRepresentation).base64EncodedString() + "\n-----END PRIVATE KEY-----\n"
        let oursEd = try PrivateKey(pem: edPEM)
        #expect(try oursEd.publicKeyComponents() == .ed25519(x: Array(ed.publicKey.rawRepresentation)))
        let message = Array("ed25519".utf8)
        #expect(oursEd.verify(signature: Array(try ed.signature(for: message)), message: message))
    }
}
