import Foundation
import JOSE
import OpenSSL
import Testing

@Suite("JWTVerifier")
struct JWTVerifierTests {
    let payload = Array(#"{"sub":"alice","exp":1900000000}"#.utf8)

    /// Replaces one character of segment `index` with another base64url character.
    func tamper(_ token: String, segment index: Int) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var chars = Array(parts[index])
        let middle = chars.count / 2
        chars[middle] = chars[middle] == "A" ? "B" : "A"
        parts[index] = String(chars)
        return parts.joined(separator: ".")
    }

    /// A token with a hand-written header, signed by `key`.
    func token(header: String, payload: [UInt8], key: SigningKey) throws -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(payload)
        return input + "." + Base64URL.encode(try key.sign(Array(input.utf8)))
    }

    @Test func acceptsOurTokensFromEveryKey() throws {
        let keys = try SignatureAlgorithm.allCases.map { try SharedKeys.key($0) }
        let verifier = JWTVerifier(keys: keys)
        for key in keys {
            let token = try JWTSigner(key: key).sign(payload: payload)
            #expect(verifier.verify(token) == payload, "\(key.algorithm)")
        }
    }

    @Test func rejectsTampering() throws {
        for algorithm in [SignatureAlgorithm.es256, .rs256, .edDSA] {
            let key = try SharedKeys.key(algorithm)
            let verifier = JWTVerifier(keys: [key])
            let token = try JWTSigner(key: key).sign(payload: payload)
            #expect(verifier.verify(token) == payload)
            #expect(verifier.verify(tamper(token, segment: 1)) == nil)
            #expect(verifier.verify(tamper(token, segment: 2)) == nil)
            #expect(verifier.verify(tamper(token, segment: 0)) == nil)
            #expect(verifier.verify(token + "A") == nil)
            #expect(verifier.verify(String(token.dropLast())) == nil)
        }
    }

    @Test func rejectsUnknownKeyID() throws {
        let signingKey = try SigningKey.generate(.es256)
        let otherKey = try SigningKey.generate(.es256)
        let token = try JWTSigner(key: signingKey).sign(payload: payload)
        #expect(JWTVerifier(keys: [otherKey]).verify(token) == nil)
        #expect(JWTVerifier(keys: []).verify(token) == nil)
        #expect(JWTVerifier(keys: [otherKey, signingKey]).verify(token) == payload)
    }

    @Test func rejectsMalformedTokens() throws {
        let key = try SigningKey.generate(.es256)
        let verifier = JWTVerifier(keys: [key])
        let token = try JWTSigner(key: key).sign(payload: payload)
        let parts = token.split(separator: ".").map(String.init)
        for bad in [
            "", ".", "..", "...", parts[0], parts[0] + "." + parts[1], token + ".", token + "." + parts[2],
            parts[0] + "." + parts[1] + "=." + parts[2], parts[0] + "." + parts[1] + "." + parts[2] + "==",
        ] {
            #expect(verifier.verify(bad) == nil, "\(bad)")
        }
    }

    @Test func checksHeaderAlgorithmAndCrit() throws {
        let key = try SigningKey.generate(.es256)
        let verifier = JWTVerifier(keys: [key])
        let kid = key.keyID
        // A hand-written but valid header: whitespace, escapes, extra members of any type.
        let fancy = #"{ "alg" : "ES256", "kid":"\#(kid)", "typ":"at\u002Bjwt", "x":[1,{"y":null}], "n":-1.5e3 }"#
        #expect(try verifier.verify(token(header: fancy, payload: payload, key: key)) == payload)

        for header in [
            #"{"alg":"RS256","kid":"\#(kid)"}"#,  // the key's own algorithm is ES256
            #"{"alg":"none","kid":"\#(kid)"}"#,
            #"{"alg":"es256","kid":"\#(kid)"}"#,
            #"{"kid":"\#(kid)"}"#,
            #"{"alg":"ES256"}"#,
            #"{"alg":"ES256","kid":"\#(kid)","crit":["exp"],"exp":1}"#,
            #"{"alg":"ES256","kid":"\#(kid)","kid":"\#(kid)"}"#,  // duplicate member
            #"{"alg":"ES256","kid":"\#(kid)"} x"#,
            #"{"alg":"ES256","kid":"\#(kid)",}"#,
            #"["ES256"]"#,
            #"{"alg":"ES256","kid":"\#(kid)","n":01}"#,
        ] {
            #expect(try verifier.verify(token(header: header, payload: payload, key: key)) == nil, "\(header)")
        }
    }
}
