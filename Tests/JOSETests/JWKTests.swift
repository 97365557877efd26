import Crypto
import CryptoTestSupport
import Foundation
import JOSE
import OpenSSL
import Testing

@Suite("JWK, JWKS and RFC 7638 thumbprints")
struct JWKTests {
    /// RFC 7638 §3.1: the example RSA key and its thumbprint.
    @Test func rfc7638Example() {
        let jwk = JWK(
            kty: "RSA",
            n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            e: "AQAB", kid: "2011-04-29", alg: "RS256")
        #expect(jwk.thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test func thumbprintNeedsRequiredMembers() {
        #expect(JWK(kty: "EC", crv: "P-256", x: "AA").thumbprint() == nil)
        #expect(JWK(kty: "RSA", n: "AA").thumbprint() == nil)
        #expect(JWK(kty: "oct").thumbprint() == nil)
    }

    /// The key id of every key type matches an independent computation (Foundation JSON + swift-crypto SHA-256).
    @Test(arguments: SignatureAlgorithm.allCases)
    func keyIDIsIndependentThumbprint(algorithm: SignatureAlgorithm) throws {
        let jwk = try SharedKeys.key(algorithm).publicJWK
        let canonical: String
        switch jwk.kty {
        case "EC": canonical = #"{"crv":"\#(jwk.crv!)","kty":"EC","x":"\#(jwk.x!)","y":"\#(jwk.y!)"}"#
        case "RSA": canonical = #"{"e":"\#(jwk.e!)","kty":"RSA","n":"\#(jwk.n!)"}"#
        default: canonical = #"{"crv":"Ed25519","kty":"OKP","x":"\#(jwk.x!)"}"#
        }
        let expected = Data(SHA256.hash(data: Data(canonical.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(jwk.kid == expected)
    }

    @Test func publicJWKShapes() throws {
        let ec = try SigningKey.generate(.es256).publicJWK
        #expect(ec.kty == "EC" && ec.crv == "P-256" && ec.n == nil && ec.e == nil)
        #expect(foundationBase64URLDecode(ec.x!)?.count == 32 && foundationBase64URLDecode(ec.y!)?.count == 32)
        let ec384 = try SigningKey.generate(.es384).publicJWK
        #expect(ec384.crv == "P-384" && foundationBase64URLDecode(ec384.x!)?.count == 48)
        let ed = try SigningKey.generate(.edDSA).publicJWK
        #expect(ed.kty == "OKP" && ed.crv == "Ed25519" && ed.y == nil && foundationBase64URLDecode(ed.x!)?.count == 32)
        let rsa = try SharedKeys.key(.ps256).publicJWK
        #expect(rsa.kty == "RSA" && rsa.alg == "PS256" && rsa.crv == nil && rsa.x == nil)
    }

    @Test func jwksJSONIsCompactAndOmitsNil() throws {
        let set = JWKSet(keys: [
            JWK(kty: "EC", crv: "P-256", x: "xx", y: "yy", kid: "k1", alg: "ES256", use: "sig"),
            JWK(kty: "RSA", n: "nn", e: "AQAB"),
        ])
        let json = String(decoding: set.jsonBytes(), as: UTF8.self)
        #expect(
            json
                == #"{"keys":[{"kty":"EC","crv":"P-256","x":"xx","y":"yy","kid":"k1","alg":"ES256","use":"sig"},{"kty":"RSA","n":"nn","e":"AQAB"}]}"#
        )
        #expect(String(decoding: JWKSet(keys: []).jsonBytes(), as: UTF8.self) == #"{"keys":[]}"#)
    }

    @Test func jwksJSONDecodesBackAndEscapes() throws {
        let keys = try [SignatureAlgorithm.es256, .rs256, .edDSA].map { try SharedKeys.key($0).publicJWK }
        let odd = JWK(kty: "oct", kid: "quote\" backslash\\ newline\n tab\t nul\u{0} é")
        let set = JWKSet(keys: keys + [odd])
        let decoded = try JSONDecoder().decode(JWKSet.self, from: Data(set.jsonBytes()))
        #expect(decoded == set)
        // And Codable agrees with the hand-written encoder.
        let viaCodable = try JSONDecoder().decode(JWKSet.self, from: try JSONEncoder().encode(set))
        #expect(viaCodable == set)
    }
}
