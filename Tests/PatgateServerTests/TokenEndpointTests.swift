import Foundation
import JOSE
import PatgateCore
import PatgateServer
import Testing

@Suite struct TokenEndpointTests {
    static let grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Apat"

    func newPAT(_ server: LiveServer, scopes: [String]? = nil, expiresIn: Int64? = nil) async throws -> (PersonalAccessToken, String) {
        try await server.ensureUser("alice")
        return try await #require(server.components.issuer).create(owner: "alice", name: "pat-\(UUID().uuidString)", scopes: scopes, expiresIn: expiresIn)
    }

    @Test func confidentialClientExchangesAPATForAVerifiableJWT() async throws {
        try await LiveServer.with { server in
            let (_, pat) = try await newPAT(server, scopes: ["openid", "profile", "credentials"], expiresIn: 3_600)
            let response = try await server.post("/token", "\(Self.grant)&subject_token=\(pat)&scope=openid+profile",
                                                  headers: [("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"), server.basicCI])
            #expect(response.status == 200)
            #expect(response.header("Cache-Control") == "no-store")
            #expect(response.header("Pragma") == "no-cache")
            let body = try server.json(response)
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["issued_token_type"] as? String == TokenTypeURI.accessToken)
            #expect(body["scope"] as? String == "openid profile")
            #expect(body["expires_in"] as? Int == 600)
            let jwt = try #require(body["access_token"] as? String)
            let payload = try #require(JWTVerifier(keys: [server.components.keys.active]).verify(jwt))
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["preferred_username"] as? String == "alice")
            #expect(claims["client_id"] as? String == "ci")
            #expect(claims["aud"] as? String == "patgate")
            #expect(claims["iss"] as? String == server.config.server.issuer)

            let jwks = try server.json(try await server.get("/.well-known/jwks.json"))
            let keys = try #require(jwks["keys"] as? [[String: Any]])
            #expect(keys.first?["kid"] as? String == server.components.keys.active.keyID)
            #expect(keys.first?["d"] == nil)
        }
    }

    @Test func publicClientAndExpiringPAT() async throws {
        try await LiveServer.with { server in
            let (_, pat) = try await newPAT(server, expiresIn: 120)
            let response = try await server.post("/token", "\(Self.grant)&client_id=cli&subject_token=\(pat)")
            #expect(response.status == 200)
            let expiresIn = try #require(try server.json(response)["expires_in"] as? Int)
            #expect(expiresIn <= 120 && expiresIn > 100)
        }
    }

    @Test func errorPathsAnswerRFC6749JSON() async throws {
        try await LiveServer.with { server in
            let (_, pat) = try await newPAT(server, scopes: ["openid"])
            let form = [("Content-Type", "application/x-www-form-urlencoded")]
            let cases: [(String, [(name: String, value: String)], Int, String)] = [
                ("\(Self.grant)&client_id=cli&subject_token=\(pat)&scope=email", form, 400, "invalid_scope"),
                ("\(Self.grant)&client_id=cli&subject_token=\(pat)&audience=evil", form, 400, "invalid_target"),
                ("\(Self.grant)&client_id=cli&subject_token=\(pat)&resource=https%3A%2F%2Fx%23f", form, 400, "invalid_target"),
                ("\(Self.grant)&client_id=cli&subject_token=pgat_unknown", form, 400, "invalid_request"),
                ("\(Self.grant)&client_id=cli&subject_token=\(pat)&scope=a&scope=b", form, 400, "invalid_request"),
                ("grant_type=password&client_id=cli&subject_token=\(pat)", form, 400, "unsupported_grant_type"),
                ("\(Self.grant)&client_id=ci&client_secret=wrong&subject_token=\(pat)", form, 401, "invalid_client"),
                ("\(Self.grant)&subject_token=\(pat)", form, 401, "invalid_client"),
                ("\(Self.grant)&client_id=cli&subject_token=\(pat)", [("Content-Type", "application/json")], 415, "invalid_request"),
                ("\(Self.grant)&client_id=cli&subject_token=\(pat)", [("Content-Type", "text/plain")], 415, "invalid_request"),
                ("\(Self.grant)&client_id=cli&subject_token=\(pat)", [("Content-Type", "application/x-www-form-urlencoded; charset=latin1")], 415, "invalid_request"),
                ("\(Self.grant)&client_id=cli&subject_token=%ZZ", form, 400, "invalid_request"),
                ("\(Self.grant)&client_id=cli&subject_token=\(pat)&x=" + String(repeating: "a", count: 20_000), form, 413, "invalid_request"),
            ]
            for (body, headers, status, code) in cases {
                let response = try await server.post("/token", body, headers: headers)
                #expect(response.status == status, "\(code) for \(body.prefix(120))")
                #expect(try server.json(response)["error"] as? String == code)
                #expect(response.header("Cache-Control") == "no-store")
                #expect(!String(decoding: response.body, as: UTF8.self).contains(pat))
                if status == 401 { #expect(response.header("WWW-Authenticate")?.hasPrefix("Basic") == true) }
            }
            #expect(try await server.get("/token").status == 405)
        }
    }

    @Test func revokedPATStopsWorkingWithinTheCacheTTL() async throws {
        try await LiveServer.with(environment: ["PATGATE_CACHE_TTL_SECONDS": "1"]) { server in
            let (token, pat) = try await newPAT(server)
            let body = "\(Self.grant)&client_id=cli&subject_token=\(pat)"
            #expect(try await server.post("/token", body).status == 200)
            try await #require(server.components.issuer).revoke(id: token.id)
            try await Task.sleep(for: .milliseconds(2_100))
            let after = try await server.post("/token", body)
            #expect(after.status == 400)
            #expect(try server.json(after)["error"] as? String == "invalid_request")
        }
    }
}
