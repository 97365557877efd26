import Foundation
import OpenSSL
import PatgateAdapters
import PatgateCore
import PatgateServer
import Testing

/// A revocation reaches the cache at once in the process that revokes, and within a second
/// from another process or replica (invariant 5 in docs/ARCHITECTURE.md); the cache TTL here
/// is ten minutes, so only the revocation channel can explain a refusal.
@Suite struct RevocationTests {
    static let longTTL = ["PATGATE_CACHE_TTL_SECONDS": "600"]

    func exchangeBody(_ pat: String) -> String { "\(TokenEndpointTests.grant)&client_id=cli&subject_token=\(pat)" }

    @Test func aPATRevokedThroughTheAPIIsRefusedByTheNextExchange() async throws {
        try await LiveServer.withAPI(Self.longTTL) { server in
            try await server.addUser("erin")
            let session = try await server.login("erin")
            let created = try await server.createToken(session)
            let pat = try #require(created["token"] as? String)
            let id = try #require(created["id"] as? String)
            #expect(try await server.post("/token", exchangeBody(pat)).status == 200)
            #expect(try await server.post("/token", exchangeBody(pat)).status == 200)   // now cached
            #expect(try await server.api("DELETE", "/api/v1/tokens/\(id)", headers: session.headers).status == 204)
            let after = try await server.post("/token", exchangeBody(pat))
            #expect(after.status == 400)
            #expect(try server.json(after)["error"] as? String == "invalid_request")
        }
    }

    @Test func rotatingAndDisablingTheOwnerEndTheCachedAnswerAtOnce() async throws {
        try await LiveServer.withAPI(Self.longTTL) { server in
            try await server.addUser("fred")
            let session = try await server.login("fred")
            let first = try await server.createToken(session)
            let firstPAT = try #require(first["token"] as? String)
            #expect(try await server.post("/token", exchangeBody(firstPAT)).status == 200)
            let rotated = try await server.api("POST", "/api/v1/tokens/\(try #require(first["id"] as? String))/rotate",
                                               headers: session.headers)
            #expect(rotated.status == 201 || rotated.status == 200)
            #expect(try await server.post("/token", exchangeBody(firstPAT)).status == 400)

            let secondPAT = try #require(try server.json(rotated)["token"] as? String)
            #expect(try await server.post("/token", exchangeBody(secondPAT)).status == 200)
            _ = try await server.management.accounts.update(username: "fred", displayName: nil, role: nil, disabled: true,
                                                            by: LiveServer.cliActor)
            #expect(try await server.post("/token", exchangeBody(secondPAT)).status == 400)
        }
    }

    @Test func aJWTNamesThePATItCameFrom() async throws {
        try await LiveServer.with { server in
            try await server.ensureUser("gina")
            let (token, value) = try await #require(server.components.issuer).create(
                owner: "gina", name: "n", scopes: ["openid"], expiresIn: nil)
            let response = try await server.post("/token", exchangeBody(value))
            let jwt = try #require(try server.json(response)["access_token"] as? String)
            let payload = try #require(Base64URL.decode(String(jwt.split(separator: ".")[1])))
            let claims = try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any]
            #expect(claims?["pat_id"] as? String == token.id)
            #expect(!String(decoding: payload, as: UTF8.self).contains(value))
        }
    }

    @Test func readinessSaysRevocationIsLive() async throws {
        try await LiveServer.with { server in
            let ready = try server.json(try await server.get("/readyz"))
            #expect(ready["revocation"] as? String == "live")
        }
    }

    @Test func aJWTManagesNothingOnceItsPATIsRevoked() async throws {
        try await LiveServer.withAPI(Self.longTTL) { server in
            try await server.addUser("hugo")
            let session = try await server.login("hugo")
            let created = try await server.createToken(session, name: "manager", scopes: ["openid", "tokens"])
            let pat = try #require(created["token"] as? String)
            let jwt = try #require(try server.json(try await server.exchange(pat, scope: "tokens"))["access_token"] as? String)
            let bearer = [("Authorization", "Bearer \(jwt)")]
            #expect(try await server.api("GET", "/api/v1/tokens", headers: bearer).status == 200)
            let id = try #require(created["id"] as? String)
            #expect(try await server.api("DELETE", "/api/v1/tokens/\(id)", headers: session.headers).status == 204)
            let after = try await server.api("POST", "/api/v1/tokens", json: #"{"name":"late","scopes":["openid"]}"#, headers: bearer)
            #expect(after.status == 401)
            #expect(try await server.api("GET", "/api/v1/tokens", headers: bearer).status == 401)
        }
    }
}
