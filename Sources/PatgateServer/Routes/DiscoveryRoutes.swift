import JSON
import Hummingbird
import PatgateCore

/// RFC 8414 and OpenID Connect discovery documents, and the JWKS (RFC 7517).
struct DiscoveryRoutes {
    let config: PatgateConfig
    /// The keys in force (the JWKS and the algorithms the metadata names reload on SIGHUP).
    let live: LiveSettings
    let credentials: CredentialBroker

    func register(on router: Router<PatgateRequestContext>) {
        let live = live
        router.get(".well-known/oauth-authorization-server") { _, _ in JSONResponse.cacheable(live.current.discoveryMetadata) }
        router.get(".well-known/openid-configuration") { _, _ in JSONResponse.cacheable(live.current.discoveryMetadata) }
        let configuration = Self.configuration(config, credentials: credentials)
        router.get(".well-known/configuration") { _, _ in JSONResponse.cacheable(configuration) }
        router.get(".well-known/jwks.json") { _, _ in
            let settings = live.current
            return JSONResponse.cacheable(settings.keys.jwksJSON, contentType: "application/jwk-set+json",
                                          maxAge: settings.jwksMaxAge)
        }
    }

    /// Only what this server really supports. Introspection answers in JWT form (RFC 9701)
    /// are signed with the active key (`introspectionAlgorithm`), never encrypted.
    static func metadata(_ config: PatgateConfig, algorithms: [String], introspectionAlgorithm: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("issuer", config.server.issuer)
        json.field("token_endpoint", config.endpoint("/token"))
        json.field("jwks_uri", config.endpoint("/.well-known/jwks.json"))
        if config.issuer.enabled {
            json.field("introspection_endpoint", config.endpoint("/introspect"))
            list(&json, "introspection_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post"])
            list(&json, "introspection_signing_alg_values_supported", [introspectionAlgorithm])
            list(&json, "scopes_supported", config.issuer.scopes)
        }
        list(&json, "grant_types_supported", [TokenTypeURI.tokenExchangeGrant])
        list(&json, "token_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post", "none"])
        list(&json, "response_types_supported", [])
        list(&json, "subject_types_supported", ["public"])
        list(&json, "access_token_signing_alg_values_supported", algorithms)
        json.endObject()
        return json.bytes
    }

    /// `/.well-known/configuration`: where to exchange, and the non-secret settings of the
    /// credential providers under the same names the token response uses.
    static func configuration(_ config: PatgateConfig, credentials: CredentialBroker) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("issuer", config.server.issuer)
        json.field("token_endpoint", config.endpoint("/token"))
        json.field("jwks_uri", config.endpoint("/.well-known/jwks.json"))
        json.field("subject_token_type", TokenTypeURI.pat)
        json.field("credentials_scope", CredentialBroker.scope)
        list(&json, "credential_providers", credentials.providers.map(\.name))
        for field in credentials.publicSettings { field.write(to: &json) }
        json.endObject()
        return json.bytes
    }

    private static func list(_ json: inout JSONWriter, _ name: String, _ values: [String]) {
        json.key(name)
        json.beginArray()
        for value in values { json.value(value) }
        json.endArray()
    }
}
