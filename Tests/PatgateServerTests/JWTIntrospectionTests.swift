import Foundation
import JOSE
import OpenSSL
import PatgateCore
import Testing
@testable import PatgateServer

/// `/introspect` answers for the JWTs patgate minted: active only while their PAT is
/// (invariant 7 in docs/ARCHITECTURE.md), and as a signed JWT on request (RFC 9701).
@Suite struct JWTIntrospectionTests {
    /// A PAT of `alice` and a JWT exchanged from it.
    func minted(_ server: LiveServer, scopes: [String] = ["openid"]) async throws -> (pat: PersonalAccessToken, jwt: String) {
        let issuer = try #require(server.components.issuer)
        try await server.ensureUser("alice")
        let (pat, value) = try await issuer.create(owner: "alice", name: "n-\(UUID().uuidString.prefix(8))", scopes: scopes,
                                                   expiresIn: 3_600)
        let response = try await server.exchange(value, scope: scopes.joined(separator: "+"))
        return (pat, try #require(try server.json(response)["access_token"] as? String))
    }

    @Test func aMintedJWTIsActiveWithItsClaimsUntilItsPATIsRevoked() async throws {
        try await LiveServer.with { server in
            let (pat, jwt) = try await minted(server)
            let answer = try server.json(try await server.introspect(jwt))
            #expect(answer["active"] as? Bool == true)
            #expect(answer["sub"] as? String == "alice")
            #expect(answer["username"] as? String == "alice")
            #expect(answer["scope"] as? String == "openid")
            #expect(answer["client_id"] as? String == "cli")
            #expect(answer["iss"] as? String == server.config.server.issuer)
            #expect(answer["token_type"] as? String == "Bearer")
            #expect(answer["pat_id"] as? String == pat.id)
            #expect((answer["jti"] as? String).map { !$0.isEmpty && $0 != pat.id } == true)
            #expect(answer["aud"] != nil)
            let exp = try #require(answer["exp"] as? Int)
            let patExpiry = Int(try #require(pat.expiresAt))
            #expect(exp > Int(UnixTime.now()) && exp <= patExpiry)

            try await #require(server.components.issuer).revoke(id: pat.id)
            #expect(String(decoding: try await server.introspect(jwt).body, as: UTF8.self) == #"{"active":false}"#)
        }
    }

    @Test func aDisabledOwnerEndsTheJWT() async throws {
        try await LiveServer.with { server in
            let (_, jwt) = try await minted(server)
            #expect(try server.json(try await server.introspect(jwt))["active"] as? Bool == true)
            _ = try await server.management.accounts.update(username: "alice", displayName: nil, role: nil, disabled: true,
                                                             by: LiveServer.cliActor)
            #expect(try server.json(try await server.introspect(jwt))["active"] as? Bool == false)
        }
    }

    @Test func expiredForeignTamperedAndUnlinkedJWTsAreInactive() async throws {
        try await LiveServer.with { server in
            let (pat, jwt) = try await minted(server)
            let now = UnixTime.now()
            let ours = server.components.keys.signer
            func claims(iss: String = server.config.server.issuer, exp: Int64 = now + 300, patID: String? = pat.id) -> [UInt8] {
                let link = patID.map { #","pat_id":"\#($0)""# } ?? ""
                return Array(#"{"iss":"\#(iss)","sub":"alice","aud":"x","exp":\#(exp),"iat":\#(now),"scope":"openid"\#(link)}"#.utf8)
            }
            let foreign = JWTSigner(key: try SigningKey.generate(.es256))
            let forged = try foreign.sign(payload: claims())
            let ourHeader = try ours.sign(payload: claims()).split(separator: ".")[0]
            let forgedParts = forged.split(separator: ".").map(String.init)
            let jwtParts = jwt.split(separator: ".").map(String.init)
            var cases: [String: String] = [:]
            cases["live (control)"] = try ours.sign(payload: claims())
            cases["expired"] = try ours.sign(payload: claims(exp: now - 1))
            cases["another issuer"] = try ours.sign(payload: claims(iss: "https://elsewhere.example"))
            cases["no pat_id"] = try ours.sign(payload: claims(patID: nil))
            cases["unknown pat_id"] = try ours.sign(payload: claims(patID: "000000000000000000000000"))
            cases["foreign key"] = forged
            cases["foreign signature under our kid"] = [String(ourHeader), forgedParts[1], forgedParts[2]].joined(separator: ".")
            cases["tampered payload"] = [jwtParts[0], Base64URL.encode(claims(exp: now + 86_400)), jwtParts[2]].joined(separator: ".")
            cases["not a token"] = "eyJ.eyJ.x"
            for (name, token) in cases {
                let active = try server.json(try await server.introspect(token))["active"] as? Bool
                #expect(active == (name == "live (control)"), "\(name)")
            }
        }
    }

    @Test func theJWTFormIsSignedForTheAskingClient() async throws {
        try await LiveServer.with { server in
            let (pat, jwt) = try await minted(server)
            let response = try await server.introspect(jwt, accept: "application/json;q=0.5, application/token-introspection+jwt")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/token-introspection+jwt")
            #expect(response.header("Cache-Control") == "no-store")
            let answer = String(decoding: response.body, as: UTF8.self)
            let keys = server.components.keys
            let payload = try #require(JWTVerifier(keys: [keys.active]).verify(answer))
            let header = try #require(Base64URL.decode(String(answer.split(separator: ".")[0])))
            let typ = try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any]
            #expect(typ?["typ"] as? String == "token-introspection+jwt")
            #expect(typ?["kid"] as? String == keys.active.keyID)
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
            #expect(claims["iss"] as? String == server.config.server.issuer)
            #expect(claims["aud"] as? String == "patgate-gateway")
            #expect((claims["iat"] as? Int).map { abs($0 - Int(UnixTime.now())) < 60 } == true)
            #expect(claims["sub"] == nil && claims["exp"] == nil)
            let inner = try #require(claims["token_introspection"] as? [String: Any])
            #expect(inner["active"] as? Bool == true)
            #expect(inner["pat_id"] as? String == pat.id)

            // Inactive in JWT form: only `active`. A quality of 0 refuses the JWT form.
            let unknown = try await server.introspect("nope", accept: "application/token-introspection+jwt")
            let inactive = try #require(JWTVerifier(keys: [keys.active]).verify(String(decoding: unknown.body, as: UTF8.self)))
            #expect(String(decoding: inactive, as: UTF8.self).hasSuffix(#""token_introspection":{"active":false}}"#))
            let refused = try await server.introspect(jwt, accept: "application/token-introspection+jwt;q=0")
            #expect(refused.header("Content-Type") == "application/json")
            // Errors stay RFC 6749 JSON.
            let anonymous = try await server.post("/introspect", "token=\(jwt)",
                                                  headers: [("Content-Type", "application/x-www-form-urlencoded"),
                                                            ("Accept", "application/token-introspection+jwt")])
            #expect(anonymous.status == 401)
            #expect(anonymous.header("Content-Type") == "application/json")
        }
    }

    @Test func aMintedJWTIsNotASubjectToken() async throws {
        try await LiveServer.with { server in
            let (_, jwt) = try await minted(server)
            let response = try await server.exchange(jwt)
            #expect(response.status == 400)
            #expect(try server.json(response)["error"] as? String == "invalid_request")
        }
    }

    @Test func discoveryNamesTheSigningAlgorithm() async throws {
        try await LiveServer.with { server in
            let metadata = try server.json(try await server.get("/.well-known/oauth-authorization-server"))
            #expect(metadata["introspection_signing_alg_values_supported"] as? [String] == ["ES256"])
        }
    }

    @Test func acceptHeadersAreReadAsMediaRanges() {
        #expect(IntrospectionJWT.isAccepted("application/token-introspection+jwt"))
        #expect(IntrospectionJWT.isAccepted("Application/Token-Introspection+JWT ; q=0.1"))
        #expect(IntrospectionJWT.isAccepted("application/json, application/token-introspection+jwt;q=1"))
        #expect(!IntrospectionJWT.isAccepted(nil))
        #expect(!IntrospectionJWT.isAccepted("application/json"))
        #expect(!IntrospectionJWT.isAccepted("*/*"))
        #expect(!IntrospectionJWT.isAccepted("application/token-introspection+jwt;q=0.0"))
    }
}

extension LiveServer {
    /// `POST /introspect` as the gateway's own client (`patgate-gateway`, which holds the grant).
    func introspect(_ token: String, accept: String? = nil) async throws -> CurlResponse {
        let secret = try String(contentsOfFile: config.dataDirectory + "/secrets/gateway-introspection.secret", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", "Basic " + Data("patgate-gateway:\(secret)".utf8).base64EncodedString()),
        ]
        if let accept { headers.append(("Accept", accept)) }
        let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? token
        return try await post("/introspect", "token=\(encoded)", headers: headers)
    }
}
