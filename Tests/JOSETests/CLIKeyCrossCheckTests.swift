import Crypto
import CryptoTestSupport
import Foundation
import JOSE
import OpenSSL
import Testing

extension CLIKey {
    var naturalAlgorithm: SignatureAlgorithm {
        switch self {
        case .p256PKCS8, .p256SEC1, .p256SEC1WithParameters: .es256
        case .p384PKCS8, .p384SEC1WithParameters: .es384
        case .rsaPKCS8, .rsaPKCS1: .rs256
        case .ed25519: .edDSA
        }
    }

    /// Every algorithm the key can sign with.
    var algorithms: [SignatureAlgorithm] {
        naturalAlgorithm == .rs256 ? [.rs256, .ps256] : [naturalAlgorithm]
    }
}

/// Every algorithm, from keys exactly as the openssl CLI writes them: load, sign a
/// JWT with `JWTSigner`, and verify it with swift-crypto from the public JWK alone.
@Suite("openssl CLI keys sign JWTs that swift-crypto verifies")
struct CLIKeyCrossCheckTests {
    let claims = Array(#"{"iss":"https://patgate.example","sub":"alice","scope":"read write"}"#.utf8)

    @Test(arguments: CLIKey.allCases)
    func signsVerifiableJWT(kind: CLIKey) throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let pem = try cli.generate("key.pem", kind.arguments)
        #expect(pem.contains(kind.expectedLabel))
        if kind == .p256SEC1WithParameters || kind == .p384SEC1WithParameters {
            #expect(pem.hasPrefix("-----BEGIN EC PARAMETERS-----"))
        }

        let inferred = try SigningKey(pem: pem)
        #expect(inferred.algorithm == kind.naturalAlgorithm)
        let fromFile = try SigningKey(contentsOfFile: cli.path("key.pem"))
        #expect(fromFile.keyID == inferred.keyID)
        #expect(fromFile.publicJWK == inferred.publicJWK)

        // The JWK is the same public key the CLI derives.
        let spki = try cli.run(["pkey", "-in", cli.path("key.pem"), "-pubout", "-outform", "DER"])
        #expect(try SwiftCryptoVerifier.subjectPublicKeyInfo(jwk: inferred.publicJWK) == spki)
        #expect(inferred.publicJWK.thumbprint() == inferred.keyID)

        for algorithm in kind.algorithms {
            let key = try SigningKey(pem: pem, algorithm: algorithm)
            #expect(key.algorithm == algorithm)
            #expect(key.keyID == inferred.keyID)
            #expect(key.publicJWK.alg == algorithm.rawValue)
            #expect(key.publicJWK.use == "sig")
            #expect(key.publicJWK.kid == key.keyID)

            let token = try JWTSigner(key: key).sign(payload: claims)
            let parts = try CompactParts(token)
            #expect(parts.header == ["alg": algorithm.rawValue, "typ": "at+jwt", "kid": key.keyID])
            #expect(Array(parts.payload) == claims)
            #expect(parts.signature.count == key.signatureSize)
            #expect(try SwiftCryptoVerifier.verify(jwk: key.publicJWK, signature: parts.signature, message: parts.signingInput))

            var tampered = parts.signingInput
            tampered[tampered.count - 1] ^= 0x01
            #expect(try !SwiftCryptoVerifier.verify(jwk: key.publicJWK, signature: parts.signature, message: tampered))
            #expect(key.verify(signature: Array(parts.signature), message: Array(parts.signingInput)))
            #expect(!key.verify(signature: Array(parts.signature), message: Array(tampered)))
        }
    }

    @Test func typIsConfigurable() throws {
        let key = try SigningKey.generate(.es256)
        let token = try JWTSigner(key: key, type: "JWT").sign(payload: claims)
        #expect(try CompactParts(token).header["typ"] == "JWT")
    }

    /// The openssl CLI accepts our signatures too (ES256 as DER, RSA and Ed25519 as is).
    @Test(arguments: [SignatureAlgorithm.es256, .rs256, .ps256, .edDSA])
    func opensslCLIVerifies(algorithm: SignatureAlgorithm) throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let key = try SharedKeys.key(algorithm)
        try cli.write("key.pem", Data(try key.privateKeyPEM().utf8))
        try cli.run(["pkey", "-in", cli.path("key.pem"), "-pubout", "-out", cli.path("pub.pem")])
        let parts = try CompactParts(try JWTSigner(key: key).sign(payload: claims))
        try cli.write("input", parts.signingInput)

        var arguments: [String]
        switch algorithm {
        case .es256:
            let der = try P256.Signing.ECDSASignature(rawRepresentation: parts.signature).derRepresentation
            try cli.write("sig", der)
            arguments = ["dgst", "-sha256", "-verify", cli.path("pub.pem"), "-signature", cli.path("sig")]
        case .rs256, .ps256:
            try cli.write("sig", parts.signature)
            arguments = ["dgst", "-sha256", "-verify", cli.path("pub.pem"), "-signature", cli.path("sig")]
            if algorithm == .ps256 {
                arguments += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]
            }
        default:
            try cli.write("sig", parts.signature)
            arguments = ["pkeyutl", "-verify", "-pubin", "-inkey", cli.path("pub.pem"), "-rawin", "-sigfile", cli.path("sig")]
            arguments += ["-in", cli.path("input")]
            let output = String(decoding: try cli.run(arguments), as: UTF8.self)
            #expect(output.contains("Signature Verified Successfully"))
            return
        }
        let output = String(decoding: try cli.run(arguments + [cli.path("input")]), as: UTF8.self)
        #expect(output.contains("Verified OK"))
    }
}
