import Curl
import Foundation
import PatgateCore
import PatgateServer
import Testing

/// A PAT or a JWT creates and rotates only tokens with scopes it holds; a console session acts
/// as the user (invariant 7 in docs/ARCHITECTURE.md).
@Suite struct ScopeEscalationAPITests {
    /// POST /api/v1/tokens with `scopes`, authenticated by the bearer `credential`.
    func create(_ server: LiveServer, _ credential: String, _ scopes: [String], name: String = "t-\(UUID().uuidString.prefix(8))") async throws -> CurlResponse {
        let list = scopes.map { "\"\($0)\"" }.joined(separator: ",")
        return try await server.api("POST", "/api/v1/tokens", json: #"{"name":"\#(name)","scopes":[\#(list)]}"#,
                                    headers: [("Authorization", "Bearer \(credential)")])
    }

    func tokenCount(_ server: LiveServer, _ session: APISession) async throws -> Int {
        let page = try server.json(try await server.api("GET", "/api/v1/tokens", headers: session.cookieOnly))
        return (page["items"] as? [[String: Any]])?.count ?? -1
    }

    func expectInsufficientScope(_ server: LiveServer, _ response: CurlResponse) throws {
        #expect(response.status == 403)
        #expect(try server.problemCode(response) == "insufficient_scope")
    }

    @Test func aPATCreatesOnlyScopesItHolds() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let manager = try #require(try await server.createToken(session, scopes: ["openid", "tokens"])["token"] as? String)
            let bare = try #require(try await server.createToken(session, scopes: ["tokens"])["token"] as? String)
            let before = try await tokenCount(server, session)
            let wider = try await create(server, manager, ["openid", "credentials"])
            try expectInsufficientScope(server, wider)
            #expect((try server.json(wider)["detail"] as? String)?.contains("credentials") == true)
            try expectInsufficientScope(server, try await create(server, bare, ["openid"]))
            #expect(try await tokenCount(server, session) == before)
            #expect(try await create(server, manager, ["openid", "tokens"]).status == 201)
            #expect(try await create(server, bare, ["tokens"]).status == 201)
            // An unknown scope stays a 400, whoever asks.
            #expect(try server.problemCode(try await create(server, manager, ["admin"])) == "invalid_scope")
        }
    }

    @Test func aJWTCreatesOnlyScopesItHolds() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let pat = try #require(try await server.createToken(session, scopes: ["openid", "credentials", "tokens"])["token"] as? String)
            let onlyTokens = try #require(try server.json(try await server.exchange(pat, scope: "tokens"))["access_token"] as? String)
            let openidTokens = try #require(try server.json(try await server.exchange(pat, scope: "openid+tokens"))["access_token"] as? String)
            let before = try await tokenCount(server, session)
            try expectInsufficientScope(server, try await create(server, onlyTokens, ["openid"]))
            try expectInsufficientScope(server, try await create(server, openidTokens, ["openid", "credentials"]))
            #expect(try await tokenCount(server, session) == before)
            let created = try await create(server, openidTokens, ["openid"])
            #expect(created.status == 201)
            #expect(try server.json(created)["scopes"] as? [String] == ["openid"])
            #expect(try await create(server, onlyTokens, ["tokens"]).status == 201)
        }
    }

    @Test func rotatingNeedsEveryScopeOfTheRotatedToken() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let wide = try await server.createToken(session, scopes: ["openid", "credentials"])
            let wideID = try #require(wide["id"] as? String)
            let manager = try await server.createToken(session, scopes: ["openid", "tokens"])
            let managerValue = try #require(manager["token"] as? String)
            let bearer = [("Authorization", "Bearer \(managerValue)")]
            try expectInsufficientScope(server, try await server.api("POST", "/api/v1/tokens/\(wideID)/rotate", headers: bearer))
            let still = try server.json(try await server.api("GET", "/api/v1/tokens/\(wideID)", headers: session.cookieOnly))
            #expect(still["state"] as? String == "active")
            // Its own scopes it holds: a PAT may rotate itself.
            let own = try await server.api("POST", "/api/v1/tokens/\(try #require(manager["id"] as? String))/rotate", headers: bearer)
            #expect(own.status == 201)
        }
    }

    @Test func aSessionAndAnAdminKeepTheirRules() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("root", role: .admin)
            let session = try await server.login("root")
            let all = try await server.createToken(session, scopes: ["openid", "profile", "email", "credentials", "tokens"])
            let adminPAT = try #require(try await server.createToken(session, scopes: ["tokens"])["token"] as? String)
            // The administrator role does not widen what its PAT may grant.
            try expectInsufficientScope(server, try await create(server, adminPAT, ["credentials"]))
            let rotated = try await server.api("POST", "/api/v1/tokens/\(try #require(all["id"] as? String))/rotate", headers: session.headers)
            #expect(rotated.status == 201)
        }
    }
}
