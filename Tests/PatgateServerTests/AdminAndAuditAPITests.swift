import Foundation
import PatgateAdapters
import PatgateCore
import PatgateServer
import Testing

@Suite struct AdminAndAuditAPITests {
    @Test func adminEndpointsNeedTheAdministratorRole() async throws {
        try await LiveServer.withAPI(["PATGATE_CACHE_TTL_SECONDS": "0"]) { server in
            try await server.addUser("root", role: .admin)
            try await server.addUser("alice")
            let alice = try await server.login("alice")
            let aliceToken = try #require(try await server.createToken(alice, name: "mine")["id"] as? String)
            for (method, path) in [("GET", "/api/v1/admin/users"), ("GET", "/api/v1/admin/tokens"), ("DELETE", "/api/v1/admin/tokens/\(aliceToken)")] {
                let response = try await server.api(method, path, headers: alice.headers)
                #expect(response.status == 403, "\(method) \(path)")
            }
            let root = try await server.login("root")
            let users = try server.json(try await server.api("GET", "/api/v1/admin/users", headers: root.cookieOnly))
            #expect((users["items"] as? [[String: Any]])?.compactMap { $0["username"] as? String } == ["alice", "root"])
            let tokens = try server.json(try await server.api("GET", "/api/v1/admin/tokens?owner=alice", headers: root.cookieOnly))
            #expect((tokens["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [aliceToken])
            #expect(try await server.api("DELETE", "/api/v1/admin/tokens/\(aliceToken)", headers: root.headers).status == 204)
            // Deleted (revoked): gone from its own URL, kept in the list as history.
            #expect(try await server.api("GET", "/api/v1/tokens/\(aliceToken)", headers: alice.cookieOnly).status == 404)
            let history = try server.json(try await server.api("GET", "/api/v1/tokens?state=revoked", headers: alice.cookieOnly))
            #expect((history["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [aliceToken])

            let added = try await server.api("POST", "/api/v1/admin/users", json: #"{"username":"carol","display_name":"Carol C"}"#, headers: root.headers)
            #expect(added.status == 201)
            let password = try #require(try server.json(added)["password"] as? String)
            _ = try await server.login("carol", password: password)
            let dup = try await server.api("POST", "/api/v1/admin/users", json: #"{"username":"carol"}"#, headers: root.headers)
            #expect(dup.status == 409)
            let bad = try await server.api("POST", "/api/v1/admin/users", json: #"{"username":"Bad Name!"}"#, headers: root.headers)
            #expect(bad.status == 400)

            let alicePAT = try #require(try await server.createToken(alice, name: "before-disable")["token"] as? String)
            #expect(try await server.exchange(alicePAT).status == 200)
            let null = try await server.api("PATCH", "/api/v1/admin/users/alice", json: #"{"disabled":null}"#, headers: root.headers)
            #expect(null.status == 400)
            #expect((try server.json(null)["detail"] as? String)?.hasPrefix("disabled: may not be null") == true)
            let twice = #"{"disabled":false,"disabled":true}"#
            #expect(try await server.api("PATCH", "/api/v1/admin/users/alice", json: twice, headers: root.headers).status == 400)
            let disable = try await server.api("PATCH", "/api/v1/admin/users/alice", json: #"{"disabled":true}"#, headers: root.headers)
            #expect(disable.status == 200)
            #expect(try server.json(disable)["disabled"] as? Bool == true)
            #expect(try await server.api("GET", "/api/v1/tokens", headers: alice.cookieOnly).status == 401)
            #expect(try await server.exchange(alicePAT).status == 400)   // a disabled owner's PATs are inactive
            #expect(try await server.api("POST", "/api/v1/session", json: #"{"username":"alice","password":"password-123"}"#).status == 401)
            let lastAdmin = try await server.api("PATCH", "/api/v1/admin/users/root", json: #"{"role":"user"}"#, headers: root.headers)
            #expect(lastAdmin.status == 409)
            #expect(try server.json(lastAdmin)["code"] as? String == "last_administrator")
            #expect(try await server.api("PATCH", "/api/v1/admin/users/nobody", json: #"{"disabled":true}"#, headers: root.headers).status == 404)
        }
    }

    @Test func bodiesRefuseUnknownMembersAndPasswordsCountEveryCharacter() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("root", role: .admin)
            let root = try await server.login("root")
            // A typo is refused, not ignored (it would have made a PAT that never expires).
            let typo = try await server.api("POST", "/api/v1/tokens", json: #"{"name":"ci","scopes":["openid"],"expires_in_seconds":60}"#,
                                           headers: root.headers)
            #expect(typo.status == 400)
            #expect((try server.json(typo)["detail"] as? String)?.hasPrefix("expires_in_seconds: is not a member") == true)
            #expect((try server.json(try await server.api("GET", "/api/v1/tokens", headers: root.cookieOnly))["items"] as? [Any])?.isEmpty == true)

            // Beyond bcrypt's 72 bytes every character still counts.
            let long = String(repeating: "é", count: 60) + "-tail-one"   // 129 bytes
            let add = #"{"username":"carol","password":"\#(long)"}"#
            #expect(try await server.api("POST", "/api/v1/admin/users", json: add, headers: root.headers).status == 201)
            _ = try await server.login("carol", password: long)
            let other = String(repeating: "é", count: 60) + "-tail-two"
            #expect(try await server.api("POST", "/api/v1/session", json: #"{"username":"carol","password":"\#(other)"}"#).status == 401)
            let tooLong = #"{"username":"dave","password":"\#(String(repeating: "x", count: 257))"}"#
            #expect(try await server.api("POST", "/api/v1/admin/users", json: tooLong, headers: root.headers).status == 400)
        }
    }

    @Test func anExchangeRecordsLastUseOnceAMinuteAndTheAuditLogHoldsNoSecrets() async throws {
        try await LiveServer.withAPI(["PATGATE_CACHE_TTL_SECONDS": "0"]) { server in
            try await server.addUser("alice", password: "audit-password-9")
            let session = try await server.login("alice", password: "audit-password-9")
            _ = try? await server.api("POST", "/api/v1/session", json: #"{"username":"alice","password":"wrong-password-7"}"#)
            let created = try await server.createToken(session, name: "used")
            let id = try #require(created["id"] as? String)
            let value = try #require(created["token"] as? String)
            #expect(try await server.exchange(value).status == 200)
            var token: [String: Any] = [:]
            for _ in 0..<250 {   // the usage writer lingers 1 s before it writes
                token = try server.json(try await server.api("GET", "/api/v1/tokens/\(id)", headers: session.cookieOnly))
                if !(token["last_used_at"] is NSNull) { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(token["last_used_at"] is String)
            #expect(token["last_used_ip"] as? String == "127.0.0.1")
            #expect(try await server.exchange(value).status == 200)   // within the minute: no second write
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await server.api("DELETE", "/api/v1/tokens/\(id)", headers: session.headers).status == 204)
            #expect(try await server.api("DELETE", "/api/v1/session", headers: session.headers).status == 204)

            server.components.auditWriter?.flush()
            let text = try String(contentsOfFile: server.config.auditPath, encoding: .utf8)
            let lines = text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let events = lines.compactMap { $0?["event"] as? String }
            for event in ["user.added", "login.succeeded", "login.failed", "pat.created", "pat.used", "pat.revoked", "logout"] {
                #expect(events.contains(event), "\(event) in \(events)")
            }
            #expect(events.filter { $0 == "pat.used" }.count == 1)
            let created_ = try #require(lines.compactMap { $0 }.first { $0["event"] as? String == "pat.created" })
            #expect(created_["actor"] as? String == "alice")
            #expect(created_["target"] as? String == id)
            #expect(created_["address"] as? String == "127.0.0.1")
            #expect(created_["time"] is String)
            #expect(!text.contains(value))
            #expect(!text.contains("audit-password-9") && !text.contains("wrong-password-7"))
            #expect(!text.contains(session.cookie.split(separator: "=")[1]))
        }
    }
}
