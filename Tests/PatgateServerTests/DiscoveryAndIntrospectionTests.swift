import Foundation
import PatgateServer
import Testing

@Suite struct DiscoveryAndIntrospectionTests {
    @Test func discoveryDocumentsPointAtRealEndpoints() async throws {
        try await LiveServer.with { server in
            for path in ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"] {
                let metadata = try server.json(try await server.get(path))
                #expect(metadata["issuer"] as? String == server.config.server.issuer)
                #expect(metadata["token_endpoint"] as? String == server.base + "/token")
                #expect(metadata["jwks_uri"] as? String == server.base + "/.well-known/jwks.json")
                #expect(metadata["introspection_endpoint"] as? String == server.base + "/introspect")
                #expect(metadata["grant_types_supported"] as? [String] == ["urn:ietf:params:oauth:grant-type:token-exchange"])
            }
            #expect(try await server.get("/healthz").status == 200)
            #expect(try await server.get("/readyz").status == 200)
        }
    }

    @Test func configurationDocumentNamesTheExchangeAndNoProviderByDefault() async throws {
        try await LiveServer.with { server in
            let document = try server.json(try await server.get("/.well-known/configuration"))
            #expect(document["token_endpoint"] as? String == server.base + "/token")
            #expect(document["subject_token_type"] as? String == "urn:ietf:params:oauth:token-type:pat")
            #expect(document["credentials_scope"] as? String == "credentials")
            #expect(document["credential_providers"] as? [String] == [])
        }
    }

    @Test func introspectionNeedsTheIntrospectionGrant() async throws {
        try await LiveServer.with { server in
            let issuer = try #require(server.components.issuer)
            try await server.ensureUser("bob")
            let (_, pat) = try await issuer.create(owner: "bob", name: "n", scopes: ["openid"], expiresIn: nil)
            let secret = try String(contentsOfFile: server.config.dataDirectory + "/secrets/gateway-introspection.secret", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let gateway = ("Authorization", "Basic " + Data("patgate-gateway:\(secret)".utf8).base64EncodedString())
            let form = ("Content-Type", "application/x-www-form-urlencoded")

            let active = try server.json(try await server.post("/introspect", "token=\(pat)", headers: [form, gateway]))
            #expect(active["active"] as? Bool == true)
            #expect(active["sub"] as? String == "bob")
            #expect(active["scope"] as? String == "openid")
            #expect(active["exp"] == nil)

            let unknown = try await server.post("/introspect", "token=pgat_nope", headers: [form, gateway])
            #expect(String(decoding: unknown.body, as: UTF8.self) == #"{"active":false}"#)

            #expect(try await server.post("/introspect", "token=\(pat)", headers: [form, server.basicCI]).status == 403)
            #expect(try await server.post("/introspect", "token=\(pat)", headers: [form]).status == 401)
        }
    }
}
