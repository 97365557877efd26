import Crypto
import CryptoTestSupport
import Foundation
import JOSE
import OpenSSL
import _CryptoExtras

/// Verifies JWS signatures with swift-crypto (BoringSSL), an implementation
/// independent of the OpenSSL code under test, from the public JWK alone.
enum SwiftCryptoVerifier {
    struct BadJWK: Error {}

    static func member(_ value: String?) throws -> Data {
        guard let value, let data = foundationBase64URLDecode(value) else { throw BadJWK() }
        return data
    }

    static func verify(jwk: JWK, signature: Data, message: Data) throws -> Bool {
        switch jwk.alg {
        case "ES256":
            let key = try P256.Signing.PublicKey(rawRepresentation: try member(jwk.x) + member(jwk.y))
            let ecdsa = try P256.Signing.ECDSASignature(rawRepresentation: signature)
            return key.isValidSignature(ecdsa, for: message)
        case "ES384":
            let key = try P384.Signing.PublicKey(rawRepresentation: try member(jwk.x) + member(jwk.y))
            let ecdsa = try P384.Signing.ECDSASignature(rawRepresentation: signature)
            return key.isValidSignature(ecdsa, for: message)
        case "EdDSA":
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: try member(jwk.x))
            return key.isValidSignature(signature, for: message)
        case "RS256", "PS256":
            let key = try _RSA.Signing.PublicKey(n: try member(jwk.n), e: try member(jwk.e))
            let rsa = _RSA.Signing.RSASignature(rawRepresentation: signature)
            let padding: _RSA.Signing.Padding = jwk.alg == "PS256" ? .PSS : .insecurePKCS1v1_5
            return key.isValidSignature(rsa, for: message, padding: padding)
        default:
            throw BadJWK()
        }
    }

    /// The SubjectPublicKeyInfo DER of the JWK's key, to compare with `openssl pkey -pubout -outform DER`.
    static func subjectPublicKeyInfo(jwk: JWK) throws -> Data {
        switch jwk.kty {
        case "EC" where jwk.crv == "P-256":
            return try P256.Signing.PublicKey(rawRepresentation: try member(jwk.x) + member(jwk.y)).derRepresentation
        case "EC" where jwk.crv == "P-384":
            return try P384.Signing.PublicKey(rawRepresentation: try member(jwk.x) + member(jwk.y)).derRepresentation
        case "RSA":
            return try _RSA.Signing.PublicKey(n: try member(jwk.n), e: try member(jwk.e)).derRepresentation
        case "OKP":
            // RFC 8410: SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING key }
            return Data([0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]) + (try member(jwk.x))
        default:
            throw BadJWK()
        }
    }
}
