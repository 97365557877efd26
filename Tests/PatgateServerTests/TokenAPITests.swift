import Foundation
import PatgateCore
import PatgateServer
import Testing

@Suite struct TokenAPITests {
    @Test func createShowsTheValueOnceThenListsAndGetsWithoutIt() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let created = try await server.createToken(session, name: "ci runner", scopes: ["openid", "profile"], extra: #","expires_in":3600"#)
            let id = try #require(created["id"] as? String)
            let value = try #require(created["token"] as? String)
            #expect(value.hasPrefix("pgat_"))
            #expect(created["owner"] as? String == "alice")
            #expect(created["state"] as? String == "active")
            #expect(created["scopes"] as? [String] == ["openid", "profile"])
            #expect((created["expires_at"] as? String)?.hasSuffix("Z") == true)
            #expect(created["last_used_at"] is NSNull && created["revoked_at"] is NSNull)

            let get = try await server.api("GET", "/api/v1/tokens/\(id)", headers: session.cookieOnly)
            #expect(get.status == 200)
            #expect(try server.json(get)["token"] == nil)
            #expect(!String(decoding: get.body, as: UTF8.self).contains(value))
            let list = try await server.api("GET", "/api/v1/tokens", headers: session.cookieOnly)
            #expect(!String(decoding: list.body, as: UTF8.self).contains(value))

            let duplicate = try await server.api("POST", "/api/v1/tokens", json: #"{"name":"ci runner","scopes":["openid"]}"#, headers: session.headers)
            #expect(duplicate.status == 409)
            #expect(try server.problemCode(duplicate) == "duplicate_name")
        }
    }

    @Test func listPagesAndFiltersByState() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            var ids: [String] = []
            for index in 0..<3 { ids.append(try #require(try await server.createToken(session, name: "p\(index)")["id"] as? String)) }
            let first = try server.json(try await server.api("GET", "/api/v1/tokens?limit=2", headers: session.cookieOnly))
            #expect((first["items"] as? [[String: Any]])?.count == 2)
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try server.json(try await server.api("GET", "/api/v1/tokens?limit=2&cursor=\(cursor)", headers: session.cookieOnly))
            #expect((second["items"] as? [[String: Any]])?.count == 1)
            #expect(second["next_cursor"] is NSNull)
            let seen = ((first["items"] as? [[String: Any]] ?? []) + (second["items"] as? [[String: Any]] ?? [])).compactMap { $0["id"] as? String }
            #expect(Set(seen) == Set(ids))

            #expect(try await server.api("DELETE", "/api/v1/tokens/\(ids[0])", headers: session.headers).status == 204)
            let revoked = try server.json(try await server.api("GET", "/api/v1/tokens?state=revoked", headers: session.cookieOnly))
            #expect((revoked["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[0]])
            let active = try server.json(try await server.api("GET", "/api/v1/tokens?state=active", headers: session.cookieOnly))
            #expect((active["items"] as? [[String: Any]])?.count == 2)
            for bad in ["state=gone", "limit=0", "limit=x"] {
                let response = try await server.api("GET", "/api/v1/tokens?\(bad)", headers: session.cookieOnly)
                #expect(response.status == 400, "\(bad)")
            }
        }
    }

    @Test func anotherOwnersTokenIsNotFound() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let bob = try await server.login("bob")
            let id = try #require(try await server.createToken(bob)["id"] as? String)
            let alice = try await server.login("alice")
            for (method, path) in [("GET", "/api/v1/tokens/\(id)"), ("DELETE", "/api/v1/tokens/\(id)"), ("POST", "/api/v1/tokens/\(id)/rotate")] {
                let response = try await server.api(method, path, headers: alice.headers)
                #expect(response.status == 404, "\(method) \(path)")
                #expect(try server.problemCode(response) == "not_found")
            }
            #expect(try await server.api("GET", "/api/v1/tokens/\(id)", headers: bob.cookieOnly).status == 200)
        }
    }

    @Test func revokeIsIdempotentAndRotationReplacesTheValue() async throws {
        try await LiveServer.withAPI(["PATGATE_CACHE_TTL_SECONDS": "0"]) { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let created = try await server.createToken(session, name: "rotating", scopes: ["openid", "email"], extra: #","expires_in":7200"#)
            let oldID = try #require(created["id"] as? String)
            let oldValue = try #require(created["token"] as? String)
            #expect(try await server.exchange(oldValue).status == 200)

            let rotate = try await server.api("POST", "/api/v1/tokens/\(oldID)/rotate", headers: session.headers)
            #expect(rotate.status == 201)
            let rotated = try server.json(rotate)
            let newValue = try #require(rotated["token"] as? String)
            #expect(rotated["id"] as? String != oldID)
            #expect(rotated["name"] as? String == "rotating")
            #expect(rotated["scopes"] as? [String] == ["openid", "email"])
            #expect(newValue != oldValue)
            #expect(try await server.exchange(newValue).status == 200)
            #expect(try await server.api("GET", "/api/v1/tokens/\(oldID)", headers: session.cookieOnly).status == 404)   // revoked
            #expect(try await server.exchange(oldValue).status == 400)   // no cache (TTL 0): refused at once
            #expect(try await server.api("POST", "/api/v1/tokens/\(oldID)/rotate", headers: session.headers).status == 404)

            let newID = try #require(rotated["id"] as? String)
            #expect(try await server.api("DELETE", "/api/v1/tokens/\(newID)", headers: session.headers).status == 204)
            #expect(try await server.api("DELETE", "/api/v1/tokens/\(newID)", headers: session.headers).status == 204)
            #expect(try await server.api("DELETE", "/api/v1/tokens/unknown", headers: session.headers).status == 404)
        }
    }

    @Test func invalidInputIsAProblemNeverA500() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let cases: [(String, Int, String)] = [
                (#"{"name":"","scopes":["openid"]}"#, 400, "invalid_name"),
                (#"{"name":"\#(String(repeating: "n", count: 101))","scopes":["openid"]}"#, 400, "invalid_name"),
                (#"{"name":"a\u0000b","scopes":["openid"]}"#, 400, "invalid_name"),
                (#"{"name":"a\u001b[31mb","scopes":["openid"]}"#, 400, "invalid_name"),
                (#"{"name":"a\nb","scopes":["openid"]}"#, 400, "invalid_name"),
                (#"{"name":"a\u007fb","scopes":["openid"]}"#, 400, "invalid_name"),
                (#"{"name":"a\u0085b","scopes":["openid"]}"#, 400, "invalid_name"),
                (#"{"name":"x","scopes":["admin"]}"#, 400, "invalid_scope"),
                (#"{"name":"x","scopes":[]}"#, 400, "invalid_scope"),
                (#"{"name":"x","scopes":["openid"],"expires_in":-5}"#, 400, "invalid_expiry"),
                (#"{"name":"x","scopes":["openid"],"expires_at":"2001-01-01T00:00:00Z"}"#, 400, "invalid_expiry"),
                (#"{"name":"x","scopes":["openid"],"expires_at":"tomorrow"}"#, 400, "invalid_expiry"),
                (#"{"name":"x","scopes":["openid"],"expires_at":"2999-01-01T00:00:00Z","expires_in":60}"#, 400, "invalid_expiry"),
                (#"{"name":5,"scopes":["openid"]}"#, 400, "invalid_request"),
                (#"{"scopes":["openid"]}"#, 400, "invalid_request"),
                (#"not json"#, 400, "invalid_request"),
                (#"[]"#, 400, "invalid_request"),
                (#"{"name":"x","scopes":["openid"],"pad":"\#(String(repeating: "a", count: 20_000))"}"#, 413, "body_too_large"),
            ]
            for (body, status, code) in cases {
                let response = try await server.api("POST", "/api/v1/tokens", json: body, headers: session.headers)
                #expect(response.status == status, "\(body.prefix(80))")
                #expect(try server.problemCode(response) == code, "\(body.prefix(80))")
                #expect((try server.json(response)["detail"] as? String)?.isEmpty == false)
            }
            for (method, path) in [("GET", "/api/v1/nothing"), ("PUT", "/api/v1/tokens"), ("POST", "/api/v1/tokens/x/y/z")] {
                let response = try await server.api(method, path, headers: session.headers)
                #expect([404, 405].contains(response.status), "\(method) \(path)")
                #expect(response.header("Content-Type") == "application/problem+json", "\(method) \(path)")
            }
            let text = try await server.api("POST", "/api/v1/tokens", headers: session.headers + [("Content-Type", "text/plain")])
            #expect(text.status == 415)
            #expect(try await server.api("GET", "/api/v1/tokens").status == 401)
            #expect(try await server.api("GET", "/api/v1/tokens", headers: [("Cookie", "patgate_session=forged")]).status == 401)
        }
    }

    @Test func aDuplicateOrNullMemberIsABadRequestNamingIt() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let cases = [
                (#"{"name":"x","name":"y","scopes":["openid"]}"#, "name: is given twice"),
                (#"{"name":"x","scopes":["openid"],"expires_at":null}"#, "expires_at: may not be null"),
                (#"{"name":null,"scopes":["openid"]}"#, "name: may not be null"),
            ]
            for (body, detail) in cases {
                let response = try await server.api("POST", "/api/v1/tokens", json: body, headers: session.headers)
                #expect(response.status == 400, "\(body)")
                #expect(try server.problemCode(response) == "invalid_request", "\(body)")
                #expect((try server.json(response)["detail"] as? String)?.hasPrefix(detail) == true, "\(body)")
            }
            let list = try await server.api("GET", "/api/v1/tokens", headers: session.headers)
            #expect((try server.json(list)["items"] as? [Any])?.isEmpty == true, "nothing was created")
        }
    }
}
