import CryptoTestSupport
import Foundation
import JOSE
import OpenSSL
import Testing

@Suite("generated keys")
struct GenerateTests {
    @Test(arguments: SignatureAlgorithm.allCases)
    func pemRoundTripKeepsKeyID(algorithm: SignatureAlgorithm) throws {
        let key = try SigningKey.generate(algorithm)
        #expect(key.algorithm == algorithm)
        let pem = try key.privateKeyPEM()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))

        let reloaded = try SigningKey(pem: pem, algorithm: algorithm)
        #expect(reloaded.keyID == key.keyID)
        #expect(reloaded.publicJWK == key.publicJWK)
        #expect(try reloaded.privateKeyPEM() == pem)

        // What one signs, the other verifies, and swift-crypto agrees.
        let message = Array("round trip".utf8)
        let signature = try key.sign(message)
        #expect(reloaded.verify(signature: signature, message: message))
        #expect(try SwiftCryptoVerifier.verify(jwk: key.publicJWK, signature: Data(signature), message: Data(message)))
    }

    @Test func opensslCLIReadsGeneratedPEM() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        for algorithm in SignatureAlgorithm.allCases {
            try cli.write("gen.pem", Data(try SharedKeys.key(algorithm).privateKeyPEM().utf8))
            try cli.run(["pkey", "-in", cli.path("gen.pem"), "-noout", "-check"])
        }
    }

    @Test func generatedRSAKeyIsAtLeast2048Bits() throws {
        for algorithm in [SignatureAlgorithm.rs256, .ps256] {
            let key = try SharedKeys.key(algorithm)
            #expect(key.signatureSize >= 256)
            #expect((foundationBase64URLDecode(key.publicJWK.n ?? "")?.count ?? 0) >= 256)
            #expect(key.publicJWK.e == "AQAB")
        }
    }

    @Test func distinctKeysHaveDistinctIDs() throws {
        let a = try SigningKey.generate(.es256)
        let b = try SigningKey.generate(.es256)
        #expect(a.keyID != b.keyID)
        #expect(a.keyID.count == 43)  // base64url of 32 bytes
    }

    @Test func signatureSizes() throws {
        #expect(try SharedKeys.key(.es256).signatureSize == 64)
        #expect(try SharedKeys.key(.es384).signatureSize == 96)
        #expect(try SharedKeys.key(.edDSA).signatureSize == 64)
        #expect(try SharedKeys.key(.rs256).signatureSize == 256)
    }

    @Test func edDSAIsDeterministicAndECDSAIsNot() throws {
        let message = Array("same message".utf8)
        let ed = try SigningKey.generate(.edDSA)
        #expect(try ed.sign(message) == ed.sign(message))
        let ec = try SigningKey.generate(.es256)
        #expect(try ec.sign(message) != ec.sign(message))
    }

    @Test func emptyMessageSignsAndVerifies() throws {
        for algorithm in SignatureAlgorithm.allCases {
            let key = try SharedKeys.key(algorithm)
            let signature = try key.sign([UInt8]())
            #expect(key.verify(signature: signature, message: []))
            #expect(!key.verify(signature: signature, message: [0]))
        }
    }
}
