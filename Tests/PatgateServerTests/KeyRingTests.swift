import Foundation
import JOSE
import PatgateServer
import Testing

/// The key ring of a rotation (README, "Rotating the signing key"): a staged key is published
/// and accepted but signs nothing; a retired key stays published.
@Suite struct KeyRingTests {
    @Test func stagedAndRetiredKeysArePublishedAndOnlyTheActiveOneSigns() throws {
        let old = try SigningKey.generate(.es256)
        let active = try SigningKey.generate(.es256)
        let staged = try SigningKey.generate(.es384)
        let ring = KeyRing(active: active, next: [staged, active], retired: [old, staged])
        #expect(ring.published.map(\.keyID) == [active.keyID, staged.keyID, old.keyID])   // each once
        let jwks = try #require(try JSONSerialization.jsonObject(with: Data(ring.jwksJSON)) as? [String: Any])
        #expect((jwks["keys"] as? [[String: Any]])?.compactMap { $0["kid"] as? String } == ring.published.map(\.keyID))
        #expect(ring.signingAlgorithm == "ES256")
        #expect(ring.algorithms == ["ES256", "ES384"])
        // A token a promoted replica signed with the staged key verifies here.
        let token = try JWTSigner(key: staged).sign(payload: Array(#"{"sub":"alice"}"#.utf8))
        #expect(JWTVerifier(keys: ring.published).verify(token) != nil)
        #expect(JWTVerifier(keys: [active, old]).verify(token) == nil)
    }

    @Test func theJWKSSaysHowLongVerifiersMayCacheIt() async throws {
        try await LiveServer.with(environment: ["PATGATE_KEYS_JWKS_MAX_AGE_SECONDS": "7"]) { server in
            let jwks = try await server.get("/.well-known/jwks.json")
            #expect(jwks.status == 200)
            #expect(jwks.header("Cache-Control") == "public, max-age=7")
        }
    }
}
