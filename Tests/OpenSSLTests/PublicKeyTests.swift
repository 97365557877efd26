import Crypto
import Foundation
import OpenSSL
import Testing

/// `PublicKey` verifies the DER ECDSA-SHA-256 signatures secret scanners send, cross-checked
/// against swift-crypto as the signer.
@Suite("PublicKey (ECDSA P-256 verify)")
struct PublicKeyTests {
    let signer = P256.Signing.PrivateKey()
    let message = Array(#"[{"token":"pgat_x","type":"pgat","url":"https://example.com/a"}]"#.utf8)

    func derSignature(_ bytes: [UInt8], by key: P256.Signing.PrivateKey? = nil) throws -> [UInt8] {
        Array(try (key ?? signer).signature(for: bytes).derRepresentation)
    }

    @Test func acceptsTheSignersSignatureOverTheExactBytes() throws {
        let key = try PublicKey(pem: signer.publicKey.pemRepresentation)
        #expect(key.verifyECDSASHA256(derSignature: try derSignature(message), message: message))
        #expect(key.verifyECDSASHA256(derSignature: try derSignature([]), message: []))
        #expect(key.description == "PublicKey(EC P-256)")
    }

    @Test func refusesATamperedBodyAnotherKeyAndMalformedSignatures() throws {
        let key = try PublicKey(pem: signer.publicKey.pemRepresentation)
        let signature = try derSignature(message)
        var tampered = message
        tampered[tampered.count - 3] ^= 0x01
        #expect(!key.verifyECDSASHA256(derSignature: signature, message: tampered))
        #expect(!key.verifyECDSASHA256(derSignature: signature, message: message + [0x20]))
        #expect(!key.verifyECDSASHA256(derSignature: try derSignature(message, by: P256.Signing.PrivateKey()), message: message))
        // The raw R||S form (as JWS writes it) is not what partners send.
        #expect(!key.verifyECDSASHA256(derSignature: Array(try signer.signature(for: message).rawRepresentation), message: message))
        #expect(!key.verifyECDSASHA256(derSignature: [], message: message))
        #expect(!key.verifyECDSASHA256(derSignature: Array(signature.dropLast()), message: message))
        #expect(!key.verifyECDSASHA256(derSignature: signature + [0], message: message))
        #expect(!key.verifyECDSASHA256(derSignature: [UInt8](repeating: 0x30, count: 300), message: message))
    }

    @Test func readsOnlyP256PublicKeyPEM() throws {
        let p384 = P384.Signing.PrivateKey().publicKey.pemRepresentation
        let curve = #expect(throws: OpenSSL.CryptoError.self) { try PublicKey(pem: p384) }
        #expect(curve?.code == .unsupportedKey)
        for text in ["", "not a key", signer.pemRepresentation,
                     "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"] {
            let error = #expect(throws: OpenSSL.CryptoError.self) { try PublicKey(pem: text) }
            #expect(error?.code == .invalidKey)
            #expect(error.map { !$0.message.contains("AAAA") } ?? true)
        }
        // A key given with text around it (as in a JSON document's "key" member) still reads.
        let wrapped = "comment\n" + signer.publicKey.pemRepresentation + "\n"
        #expect(throws: Never.self) { try PublicKey(pem: wrapped) }
    }
}
