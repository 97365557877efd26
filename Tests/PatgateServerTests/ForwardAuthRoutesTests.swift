import Foundation
import PatgateAdapters
import PatgateCore
import PatgateServer
import PatgateTestSupport
import Testing

/// `/authz/...` on a real server (README "Forward auth"): each gateway's convention, each
/// credential form, each answer, the JWT cache and its purge on revocation.
@Suite struct ForwardAuthRoutesTests {
    static let orders = "https://api.example.com/orders/17?x=1"

    @Test func aPATInEveryFormIsSwappedForAJWTOfTheRoute() async throws {
        try await LiveServer.withForwardAuth { server in
            let (id, pat) = try await server.pat()
            for header in [("Authorization", "Bearer \(pat)"), ("Authorization", "token \(pat)"),
                           basicHeader("x-access-token", pat), ("X-API-Key", pat)] {
                let response = try await server.authRequest(Self.orders, [header])
                #expect(response.status == 200, "\(header.0)")
                let jwt = try bearer(response)
                #expect(jwt != pat)
                let claims = try server.verifiedClaims(jwt)
                #expect(claims["aud"] as? String == "orders-api")
                #expect(claims["scope"] as? String == "openid")
                #expect(claims["sub"] as? String == "alice")
                #expect(claims["client_id"] as? String == "ci")
                #expect(claims["pat_id"] as? String == id)
                #expect(response.header("X-Patgate-Subject") == "alice")
                #expect(!String(decoding: response.body, as: UTF8.self).contains(pat))
            }
        }
    }

    @Test func eachGatewaysConventionNamesTheOriginalRequest() async throws {
        try await LiveServer.withForwardAuth { server in
            let (_, pat) = try await server.pat()
            let auth = ("Authorization", "Bearer \(pat)")
            // Traefik and Caddy: X-Forwarded-*; their own request is a GET whatever the original.
            let traefik = try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/forward-auth", headers: [
                ("X-Forwarded-Method", "POST"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "api.example.com:443"),
                ("X-Forwarded-Uri", "/orders/1?q=2"), auth]))
            #expect(traefik.status == 200)
            let deleteVia = try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/forward-auth", headers: [
                ("X-Forwarded-Method", "DELETE"), ("X-Forwarded-Host", "api.example.com"), ("X-Forwarded-Uri", "/orders/1"), auth]))
            #expect(deleteVia.status == 403)                                  // the route allows GET and POST only
            // Envoy: the original method and Host, the path after the prefix.
            let envoy = try await server.http.perform(CurlRequest(method: "POST", url: server.base + "/authz/ext-authz/orders/1?q=2",
                                                                  headers: [("Host", "api.example.com"), auth]))
            #expect(envoy.status == 200)
            let envoyOther = try await server.http.perform(CurlRequest(method: "PUT", url: server.base + "/authz/ext-authz/orders/1",
                                                                       headers: [("Host", "api.example.com"), auth]))
            #expect(envoyOther.status == 403)
            // nginx, with the original method.
            #expect(try await server.authRequest(Self.orders, method: "POST", [auth]).status == 200)
            #expect(try await server.authRequest("https://other.example.com/orders/1", [auth]).status == 403)
            // Without the original request there is nothing to allow.
            #expect(try await server.http.perform(CurlRequest(method: "GET", url: server.base + "/authz/auth-request",
                                                              headers: [auth])).status == 403)
            #expect(try await server.authRequest("https://api.example.com/orders/../admin", [auth]).status == 403)
        }
    }

    @Test func missingAndBadCredentialsGetRFC6750Challenges() async throws {
        try await LiveServer.withForwardAuth { server in
            let none = try await server.authRequest(Self.orders, [])
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate") == #"Bearer realm="patgate", Basic realm="patgate", charset="UTF-8""#)
            #expect(none.header("Authorization") == nil)

            let unknown = "pgat_AAAAAAAAAAAAAAAAAAAAAAAAAAA000000"
            let bad = try await server.authRequest(Self.orders, [("Authorization", "Bearer \(unknown)")])
            #expect(bad.status == 401)
            let challenge = try #require(bad.header("WWW-Authenticate"))
            #expect(challenge.hasPrefix(#"Bearer realm="patgate", error="invalid_token""#))
            #expect(!challenge.contains("Basic"))
            #expect(try server.json(bad)["error"] as? String == "invalid_token")

            // git needs the Basic challenge to ask again.
            let basic = try await server.authRequest(Self.orders, [basicHeader("git", unknown)])
            #expect(basic.status == 401)
            #expect(try #require(basic.header("WWW-Authenticate")).contains(#"Basic realm="patgate""#))
            #expect(try #require(basic.header("WWW-Authenticate")).contains(#"error="invalid_token""#))
            let malformed = try await server.authRequest(Self.orders, [("Authorization", "Basic !!!")])
            #expect(malformed.status == 401)
            #expect(try #require(malformed.header("WWW-Authenticate")).contains("Basic"))
            #expect(try await server.authRequest(Self.orders, [("Authorization", "Negotiate abc")]).status == 401)
        }
    }

    @Test func aPATWithoutTheRoutesScopesIsForbidden() async throws {
        try await LiveServer.withForwardAuth { server in
            let (id, pat) = try await server.pat(scopes: ["openid"])
            let response = try await server.authRequest("https://api.example.com/admin/users", [("Authorization", "Bearer \(pat)")])
            #expect(response.status == 403)
            #expect(response.header("WWW-Authenticate") == #"Bearer realm="patgate", error="insufficient_scope", scope="tokens""#)
            #expect(response.header("Authorization") == nil)
            let audit = try server.auditText()
            #expect(audit.contains(#""event":"authz.denied","actor":"alice","target":"\#(id)""#), "\(audit)")
            #expect(!audit.contains(pat))
        }
    }

    @Test func aCachedJWTIsHandedOutAgainUntilThePATIsRevoked() async throws {
        try await LiveServer.withForwardAuth { server in
            let (id, pat) = try await server.pat()
            let first = try bearer(try await server.authRequest(Self.orders, [("Authorization", "Bearer \(pat)")]))
            let hit = try await server.authRequest(Self.orders, [("Authorization", "token \(pat)")])
            let second = try bearer(hit)
            #expect(first == second)                                          // a hit signs nothing
            // The allow headers kept with the JWT are a fresh answer's.
            #expect(hit.header("X-Patgate-Subject") == "alice")
            #expect(hit.header("Cache-Control") == "no-store")
            #expect(server.components.forwardAuthCache?.count == 1)
            _ = try await #require(server.components.issuer).revoke(id: id)
            #expect(server.components.forwardAuthCache?.count == 0)
            let after = try await server.authRequest(Self.orders, [("Authorization", "Bearer \(pat)")])
            #expect(after.status == 401)
            let audit = try server.auditText()
            #expect(audit.contains(#""event":"authz.allowed","actor":"alice","target":"\#(id)""#))
            #expect(audit.contains("route=orders cached"))
            #expect(!audit.contains(pat) && !audit.contains(first))
        }
    }

    @Test func aJWTOfOursIsCheckedLocallyAndAllowedWhereItFits() async throws {
        try await LiveServer.withForwardAuth { server in
            let (id, pat) = try await server.pat(scopes: ["openid", "tokens"])
            let exchanged = try await server.exchange(pat, scope: "openid")   // audience patgate
            let forPatgate = try #require(try server.json(exchanged)["access_token"] as? String)
            let wrongAudience = try await server.authRequest(Self.orders, [("Authorization", "Bearer \(forPatgate)")])
            #expect(wrongAudience.status == 401)

            let jwt = try bearer(try await server.authRequest(Self.orders, [("Authorization", "Bearer \(pat)")]))
            let again = try await server.authRequest(Self.orders, [("Authorization", "Bearer \(jwt)")])
            #expect(again.status == 200)
            #expect(try bearer(again) == jwt)
            let admin = try await server.authRequest("https://api.example.com/admin", [("Authorization", "Bearer \(jwt)")])
            #expect(admin.status == 403)                                      // its scope is openid only
            _ = try await #require(server.components.issuer).revoke(id: id)
            #expect(try await server.authRequest(Self.orders, [("Authorization", "Bearer \(jwt)")]).status == 401)
        }
    }

    @Test func anUnreachableUpstreamIsA503NeverAnAllow() async throws {
        let down = "http://127.0.0.1:\(try LoopbackPort.free())/introspect"
        try await LiveServer.withForwardAuth(["PATGATE_UPSTREAM_INTROSPECTION_URL": down]) { server in
            let (_, pat) = try await server.pat()
            let response = try await server.authRequest(Self.orders, [("Authorization", "Bearer \(pat)")])
            #expect(response.status == 503)
            #expect(response.header("Authorization") == nil)
            #expect(try server.json(response)["error"] as? String == "temporarily_unavailable")
        }
    }

    @Test func everyMethodReachesTheEndpoints() async throws {
        try await LiveServer.withForwardAuth { server in
            let (_, pat) = try await server.pat()
            for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"] {
                let anonymous = try await server.http.perform(CurlRequest(method: method, url: server.base + "/authz/forward-auth"))
                #expect(anonymous.status == 401, "\(method)")                // no credential: asked for one first
                let unrouted = try await server.http.perform(CurlRequest(method: method, url: server.base + "/authz/forward-auth",
                                                                         headers: [("Authorization", "Bearer \(pat)")]))
                #expect(unrouted.status == 403, "\(method)")                 // no original request: no route
                let allowed = try await server.http.perform(CurlRequest(method: method, url: server.base + "/authz/ext-authz/orders",
                                                                         headers: [("Host", "api.example.com"), ("Authorization", "Bearer \(pat)")]))
                #expect(allowed.status == (["GET", "POST"].contains(method) ? 200 : 403), "\(method)")
            }
        }
    }
}
