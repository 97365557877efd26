import Curl
import Foundation
import PatgateCore
import PatgateServer
import Testing

/// Over the API: a PAT or a JWT never makes a token that outlives its PAT; a console session
/// is not bound (invariant 7 in docs/ARCHITECTURE.md).
@Suite struct LifetimeBoundAPITests {
    func create(_ server: LiveServer, _ bearer: String, expiry: String = "") async throws -> CurlResponse {
        try await server.api("POST", "/api/v1/tokens", json: #"{"name":"t-\#(UUID().uuidString.prefix(8))","scopes":["openid"]\#(expiry)}"#,
                             headers: [("Authorization", "Bearer \(bearer)")])
    }

    @Test func aBearerCannotOutliveItsPAT() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let manager = try await server.createToken(session, scopes: ["openid", "tokens"], extra: #","expires_in":3600"#)
            let value = try #require(manager["token"] as? String)
            let limit = try #require(manager["expires_at"] as? String)
            let jwt = try #require(try server.json(try await server.exchange(value, scope: "openid+tokens"))["access_token"] as? String)

            for bearer in [value, jwt] {
                let longer = try await create(server, bearer, expiry: #","expires_in":7200"#)
                #expect(longer.status == 403)
                #expect(try server.problemCode(longer) == "outlives_credential")
                #expect((try server.json(longer)["detail"] as? String)?.contains(limit) == true)
                // Without an expiry the new token ends with the bearer's PAT, not later and not never.
                let capped = try await create(server, bearer)
                #expect(capped.status == 201)
                #expect(try server.json(capped)["expires_at"] as? String == limit)
            }
            // Rotating itself keeps the PAT's expiry.
            let rotated = try await server.api("POST", "/api/v1/tokens/\(try #require(manager["id"] as? String))/rotate",
                                               headers: [("Authorization", "Bearer \(value)")])
            #expect(rotated.status == 201)
            #expect(try server.json(rotated)["expires_at"] as? String == limit)
            // The console session acts as the user: no bound.
            #expect(try await server.createToken(session)["expires_at"] is NSNull)
        }
    }
}
