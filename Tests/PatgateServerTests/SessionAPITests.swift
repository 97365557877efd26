import Foundation
import PatgateCore
import PatgateServer
import Testing

@Suite struct SessionAPITests {
    @Test func loginSetsAStrictHttpOnlyCookieAndLogoutEndsTheSession() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let response = try await server.api("POST", "/api/v1/session", json: #"{"username":"alice","password":"password-123"}"#)
            #expect(response.status == 200)
            let body = try server.json(response)
            #expect((body["user"] as? [String: Any])?["username"] as? String == "alice")
            #expect((body["user"] as? [String: Any])?["role"] as? String == "user")
            let cookie = try #require(response.header("Set-Cookie"))
            #expect(cookie.hasPrefix("patgate_session="))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] { #expect(cookie.contains(attribute)) }
            #expect(!cookie.contains("Secure"))

            let session = try await server.login("alice")
            let me = try await server.api("GET", "/api/v1/session", headers: session.cookieOnly)
            #expect(me.status == 200)
            #expect(try server.json(me)["csrf_token"] as? String == session.csrf)

            #expect(try await server.api("DELETE", "/api/v1/session", headers: session.cookieOnly).status == 403)
            let logout = try await server.api("DELETE", "/api/v1/session", headers: session.headers)
            #expect(logout.status == 204)
            #expect(logout.header("Set-Cookie")?.contains("Max-Age=0") == true)
            #expect(try await server.api("GET", "/api/v1/session", headers: session.cookieOnly).status == 401)
            #expect(try await server.api("GET", "/api/v1/tokens", headers: session.cookieOnly).status == 401)
        }
    }

    @Test func wrongPasswordUnknownUserAndDisabledUserGetTheSameAnswer() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            try await server.addUser("dora")
            _ = try await server.management.accounts.update(username: "dora", displayName: nil, role: nil, disabled: true, by: LiveServer.cliActor)
            var answers: Set<String> = []
            for body in [#"{"username":"alice","password":"wrong-password"}"#, #"{"username":"nobody","password":"password-123"}"#,
                         #"{"username":"dora","password":"password-123"}"#, #"{"username":"","password":""}"#] {
                let response = try await server.api("POST", "/api/v1/session", json: body)
                #expect(response.status == 401)
                #expect(response.header("Set-Cookie") == nil)
                #expect(try server.problemCode(response) == "invalid_credentials")
                answers.insert(String(decoding: response.body, as: UTF8.self))
            }
            #expect(answers.count == 1)
        }
    }

    @Test func repeatedFailuresAreThrottledThenRecover() async throws {
        try await LiveServer.withAPI([
            "PATGATE_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3", "PATGATE_LOGIN_LOCKOUT_SECONDS": "3", "PATGATE_LOGIN_WINDOW_SECONDS": "10",
        ]) { server in
            try await server.addUser("alice")
            let wrong = #"{"username":"alice","password":"wrong-password"}"#
            for _ in 0..<3 { #expect(try await server.api("POST", "/api/v1/session", json: wrong).status == 401) }
            let throttled = try await server.api("POST", "/api/v1/session", json: #"{"username":"alice","password":"password-123"}"#)
            #expect(throttled.status == 429)
            #expect(try server.problemCode(throttled) == "too_many_attempts")
            #expect(Int(throttled.header("Retry-After") ?? "") ?? 0 >= 1)
            // Unknown accounts are throttled the same way (no enumeration through 429s).
            for _ in 0..<3 { _ = try await server.api("POST", "/api/v1/session", json: #"{"username":"ghost","password":"x-password"}"#) }
            #expect(try await server.api("POST", "/api/v1/session", json: #"{"username":"ghost","password":"x-password"}"#).status == 429)
            try await Task.sleep(for: .milliseconds(3_100))
            _ = try await server.login("alice")
        }
    }

    @Test func idleTimeoutEndsASession() async throws {
        // Times are whole seconds: 2 s of idle allowance, then 3.1 s of silence.
        try await LiveServer.withAPI(["PATGATE_SESSIONS_IDLE_TIMEOUT_SECONDS": "2"]) { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            #expect(try await server.api("GET", "/api/v1/tokens", headers: session.cookieOnly).status == 200)
            try await Task.sleep(for: .milliseconds(3_100))
            #expect(try await server.api("GET", "/api/v1/tokens", headers: session.cookieOnly).status == 401)
        }
    }

    @Test func absoluteTimeoutEndsABusySession() async throws {
        try await LiveServer.withAPI(["PATGATE_SESSIONS_ABSOLUTE_TIMEOUT_SECONDS": "3"]) { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            for _ in 0..<2 {
                #expect(try await server.api("GET", "/api/v1/session", headers: session.cookieOnly).status == 200)
                try await Task.sleep(for: .milliseconds(800))
            }
            try await Task.sleep(for: .milliseconds(2_200))
            #expect(try await server.api("GET", "/api/v1/session", headers: session.cookieOnly).status == 401)
        }
    }

    @Test func stateChangingRequestsNeedTheCSRFTokenAndTheSameOrigin() async throws {
        try await LiveServer.withAPI { server in
            try await server.addUser("alice")
            let session = try await server.login("alice")
            let body = #"{"name":"csrf","scopes":["openid"]}"#
            let missing = try await server.api("POST", "/api/v1/tokens", json: body, headers: session.cookieOnly)
            #expect(missing.status == 403)
            #expect(try server.problemCode(missing) == "csrf_failed")
            let wrong = try await server.api("POST", "/api/v1/tokens", json: body, headers: session.cookieOnly + [("X-CSRF-Token", "nope")])
            #expect(wrong.status == 403)
            let crossSite = try await server.api("POST", "/api/v1/tokens", json: body, headers: session.headers + [("Origin", "https://evil.example")])
            #expect(crossSite.status == 403)
            #expect(try server.problemCode(crossSite) == "cross_site")
            let fetchSite = try await server.api("POST", "/api/v1/tokens", json: body, headers: session.headers + [("Sec-Fetch-Site", "cross-site")])
            #expect(fetchSite.status == 403)
            let loginCrossSite = try await server.api("POST", "/api/v1/session", json: #"{"username":"alice","password":"password-123"}"#,
                                                      headers: [("Origin", "https://evil.example")])
            #expect(loginCrossSite.status == 403)
            let sameOrigin = try await server.api("POST", "/api/v1/tokens", json: body, headers: session.headers + [("Origin", server.base)])
            #expect(sameOrigin.status == 201)
            #expect(try await server.api("GET", "/api/v1/tokens", headers: session.cookieOnly).status == 200)
        }
    }

    @Test func cookiesAreSecureBehindAnHTTPSIssuer() async throws {
        try await LiveServer.withAPI(["PATGATE_SERVER_ISSUER": "https://patgate.example"]) { server in
            try await server.addUser("alice")
            let response = try await server.api("POST", "/api/v1/session", json: #"{"username":"alice","password":"password-123"}"#)
            #expect(response.status == 200)
            #expect(response.header("Set-Cookie")?.contains("; Secure") == true)
        }
    }
}
