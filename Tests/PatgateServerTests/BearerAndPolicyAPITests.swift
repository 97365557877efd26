import Foundation
import PatgateCore
import PatgateServer
import Testing

@Suite struct BearerAndPolicyAPITests {
    @Test func aPATWithTheTokensScopeManagesTokensWithoutCSRF() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let manager = try #require(try await server.createToken(session, name: "manager", scopes: ["openid", "tokens"])["token"] as? String)
            let plain = try #require(try await server.createToken(session, name: "plain", scopes: ["openid"])["token"] as? String)
            let bearer = [("Authorization", "Bearer \(manager)")]
            #expect(try await server.api("GET", "/api/v1/tokens", headers: bearer).status == 200)
            let created = try await server.api("POST", "/api/v1/tokens", json: #"{"name":"via-pat","scopes":["openid"]}"#, headers: bearer)
            #expect(created.status == 201)
            #expect(try server.json(created)["owner"] as? String == "alice")
            let noScope = try await server.api("GET", "/api/v1/tokens", headers: [("Authorization", "Bearer \(plain)")])
            #expect(noScope.status == 403)
            #expect(try server.problemCode(noScope) == "insufficient_scope")
            #expect(try await server.api("GET", "/api/v1/tokens", headers: [("Authorization", "Bearer pgat_notatoken")]).status == 401)
            #expect(try await server.api("GET", "/api/v1/tokens", headers: [("Authorization", "Basic eDp5")]).status == 401)
        }
    }

    @Test func aJWTMintedWithTheTokensScopeIsAccepted() async throws {
        try await LiveServer.withAPI(["PATGATE_CLIENTS_CLI_AUDIENCES": "patgate,https://storage.example.com"]) { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let pat = try #require(try await server.createToken(session, name: "jwt-source", scopes: ["openid", "tokens"])["token"] as? String)
            let withScope = try #require(try server.json(try await server.exchange(pat, scope: "tokens"))["access_token"] as? String)
            let withoutScope = try #require(try server.json(try await server.exchange(pat, scope: "openid"))["access_token"] as? String)
            let list = try await server.api("GET", "/api/v1/tokens", headers: [("Authorization", "Bearer \(withScope)")])
            #expect(list.status == 200)
            #expect((try server.json(list)["items"] as? [[String: Any]])?.first?["owner"] as? String == "alice")
            #expect(try await server.api("GET", "/api/v1/tokens", headers: [("Authorization", "Bearer \(withoutScope)")]).status == 403)
            // A token minted for another resource does not open the management API.
            let elsewhere = try await server.post("/token", TokenEndpointTests.grant
                + "&client_id=cli&scope=tokens&resource=https%3A%2F%2Fstorage.example.com&subject_token=\(pat)")
            let foreign = try #require(try server.json(elsewhere)["access_token"] as? String)
            #expect(try await server.api("GET", "/api/v1/tokens", headers: [("Authorization", "Bearer \(foreign)")]).status == 401)
            let tampered = String(withScope.dropLast(3)) + (withScope.hasSuffix("AAA") ? "BBB" : "AAA")
            #expect(try await server.api("GET", "/api/v1/tokens", headers: [("Authorization", "Bearer \(tampered)")]).status == 401)
        }
    }

    @Test func theExpirationPolicyIsEnforcedWithClearErrors() async throws {
        try await LiveServer.withAPI([
            "PATGATE_ISSUER_POLICY_MAX_LIFETIME_DAYS": "30", "PATGATE_ISSUER_POLICY_DEFAULT_LIFETIME_DAYS": "7",
        ]) { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let scopes = try server.json(try await server.api("GET", "/api/v1/scopes", headers: session.cookieOnly))
            #expect((scopes["scopes"] as? [String])?.contains("tokens") == true)
            let policy = try #require(scopes["policy"] as? [String: Any])
            #expect(policy["max_lifetime_seconds"] as? Int == 30 * 86_400)
            #expect(policy["default_lifetime_seconds"] as? Int == 7 * 86_400)

            let tooLong = try await server.api("POST", "/api/v1/tokens", json: #"{"name":"long","scopes":["openid"],"expires_in":\#(31 * 86_400)}"#,
                                               headers: session.headers)
            #expect(tooLong.status == 422)
            #expect(try server.problemCode(tooLong) == "policy_violation")
            #expect((try server.json(tooLong)["detail"] as? String)?.contains("30 days") == true)
            let defaulted = try await server.createToken(session, name: "default")
            let expiresText = try #require(defaulted["expires_at"] as? String)
            let expiresAt = try #require(RFC3339.parse(expiresText))
            #expect(abs(expiresAt - UnixTime.now() - 7 * 86_400) < 10)
        }
    }

    @Test func requiredExpiryWithoutDefaultRefusesNonExpiringTokens() async throws {
        try await LiveServer.withAPI(["PATGATE_ISSUER_POLICY_EXPIRY_REQUIRED": "true"]) { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let never = try await server.api("POST", "/api/v1/tokens", json: #"{"name":"never","scopes":["openid"]}"#, headers: session.headers)
            #expect(never.status == 422)
            #expect(try server.problemCode(never) == "policy_violation")
            _ = try await server.createToken(session, name: "dated", extra: #","expires_at":"2999-01-01T00:00:00Z""#)
            let policy = try server.json(try await server.api("GET", "/api/v1/scopes", headers: session.cookieOnly))["policy"] as? [String: Any]
            #expect(policy?["expiry_required"] as? Bool == true)
            #expect(policy?["max_lifetime_seconds"] is NSNull)
        }
    }
}
