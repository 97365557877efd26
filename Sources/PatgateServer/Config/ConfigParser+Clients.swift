import Curl
import Foundation
import PatgateAdapters
import PatgateCore

extension ConfigParser {
    /// `clients.ids` lists the clients; each has keys under `clients.<id>.`.
    mutating func parseClients() -> [OAuthClient] {
        let ids = reader.list("clients.ids") ?? []
        if ids.isEmpty { reader.problem("clients.ids", "list at least one client") }
        return ids.compactMap { id in
            guard id.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                reader.problem("clients.ids", "'\(id)' may only use letters, digits, '-' and '_'")
                return nil
            }
            return parseClient(id)
        }
    }

    private mutating func parseClient(_ id: String) -> OAuthClient? {
        let key = "clients.\(id)"
        var grants: Set<OAuthClient.Grant> = []
        for name in reader.list("\(key).grants") ?? ["token_exchange"] {
            guard let grant = OAuthClient.Grant(rawValue: name) else {
                reader.problem("\(key).grants", "'\(name)' is not one of token_exchange, introspection")
                continue
            }
            grants.insert(grant)
        }
        let authentication: OAuthClient.Authentication
        let digest = secretDigest(key)   // read for a public client too: its keys are known keys
        if reader.bool("\(key).public", default: false) {
            authentication = .none
        } else if let digest {
            authentication = .secret(digest)
        } else {
            reader.problem(key, "a confidential client needs secret_sha256, secret_file, secret_env or secret (or set public: true)")
            return nil
        }
        return OAuthClient(
            id: id, authentication: authentication, grants: grants,
            allowedScopes: reader.list("\(key).scopes").map(Set.init),
            allowedAudiences: Set(reader.list("\(key).audiences") ?? []),
            defaultAudiences: reader.list("\(key).default_audience"),
            maxTokenLifetime: reader.optionalInt("\(key).max_token_lifetime_seconds", in: 1...86_400).map(Int64.init))
    }

    private mutating func secretDigest(_ key: String) -> SecretDigest? {
        let plain = secretSource(key, "secret")
        if let hex = reader.string("\(key).secret_sha256") {
            guard let digest = SecretDigest(hex: hex) else {
                reader.problem("\(key).secret_sha256", "must be 64 hexadecimal characters (sha256sum of the secret)")
                return nil
            }
            return digest
        }
        return resolve(plain).map(SecretDigest.init(hashing:))
    }

    /// A secret from `<key>.<name>`, `<key>.<name>_env` or `<key>.<name>_file`, in that order,
    /// so `PATGATE_UPSTREAM_CLIENT_SECRET` overrides a `client_secret_file` in the YAML. Never echoed.
    mutating func secret(_ key: String, _ name: String) -> String? {
        resolve(secretSource(key, name))
    }

    /// The three places a secret may come from, all read (so all are known keys), none resolved.
    func secretSource(_ key: String, _ name: String) -> SecretSource {
        SecretSource(key: "\(key).\(name)", value: reader.string("\(key).\(name)", secret: true),
                     variable: reader.string("\(key).\(name)_env"), file: reader.string("\(key).\(name)_file"))
    }

    /// The secret itself: the value, else the environment variable, else the file's text.
    mutating func resolve(_ source: SecretSource) -> String? {
        if let value = source.value {
            return value
        }
        if let variable = source.variable {
            guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                reader.problem("\(source.key)_env", "the environment variable \(variable) is not set")
                return nil
            }
            return value
        }
        if let file = source.file {
            guard let text = try? String(contentsOfFile: path(file), encoding: .utf8) else {
                reader.problem("\(source.key)_file", "cannot read \(path(file))")
                return nil
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    /// Without `upstream.introspection_url`, the gateway asks the built-in issuer on loopback,
    /// over HTTP through libcurl like any remote upstream.
    mutating func parseUpstream(server: PatgateConfig.Server, issuer: PatgateConfig.Issuer) -> IntrospectionClientConfig {
        let selfHost = server.host == "0.0.0.0" || server.host == "::" ? "127.0.0.1" : server.host
        let bracketed = selfHost.contains(":") ? "[\(selfHost)]" : selfHost
        let url = reader.string("upstream.introspection_url") ?? "http://\(bracketed):\(server.port)/introspect"
        if reader.string("upstream.introspection_url") == nil && !issuer.enabled {
            reader.problem("upstream.introspection_url", "is required when the built-in issuer is disabled")
        }
        let scheme = URL(string: url)?.scheme?.lowercased()
        if scheme != "http" && scheme != "https" {
            reader.problem("upstream.introspection_url", "must be an http or https URL")
        }
        let authentication: IntrospectionClientConfig.Authentication
        // Both ways' keys are read whichever is chosen, so both are known keys.
        let id = reader.string("upstream.client_id", default: "patgate-gateway")
        let clientSecret = secretSource("upstream", "client_secret"), bearerToken = secretSource("upstream", "bearer_token")
        switch reader.string("upstream.auth", default: "basic") {
        case "basic":
            guard let secret = resolve(clientSecret) else {
                reader.problem("upstream.client_secret", "basic authentication needs client_secret, client_secret_file or client_secret_env")
                authentication = .none
                break
            }
            authentication = .basic(clientID: id, secret: secret)
        case "bearer":
            guard let token = resolve(bearerToken) else {
                reader.problem("upstream.bearer_token", "bearer authentication needs bearer_token, bearer_token_file or bearer_token_env")
                authentication = .none
                break
            }
            authentication = .bearer(token)
        case "none":
            authentication = .none
        case let other:
            reader.problem("upstream.auth", "must be basic, bearer or none, not '\(other)'")
            authentication = .none
        }
        var http = HTTPClientOptions()
        http.connectTimeout = .milliseconds(reader.int("upstream.connect_timeout_ms", default: 2_000, in: 1...60_000))
        http.totalTimeout = .milliseconds(reader.int("upstream.timeout_ms", default: 5_000, in: 1...120_000))
        http.verifyTLS = reader.bool("upstream.verify_tls", default: true)
        http.caFile = reader.string("upstream.ca_file").map(path)
        // 16, not 8: with one libcurl driver, more calls in flight are answered per wake-up
        // (BENCHMARKS.md, "Issue 14", session 25).
        http.connections = reader.int("upstream.connections", default: 16, in: 1...256)
        http.proxy = reader.string("upstream.proxy")
        let hint = reader.string("upstream.token_type_hint", default: "access_token")
        var config = IntrospectionClientConfig(url: url, authentication: authentication,
                                               tokenTypeHint: hint == "none" ? nil : hint, http: http)
        config.revocationFeedURL = parseRevocationFeed(issuer: issuer, authentication: authentication)
        return config
    }

    /// `upstream.revocation_feed_url`: the upstream patgate issuer's `GET /revocations`, read as
    /// the introspection client (README "Revocation feed").
    private mutating func parseRevocationFeed(issuer: PatgateConfig.Issuer,
                                              authentication: IntrospectionClientConfig.Authentication) -> String? {
        guard let feed = reader.string("upstream.revocation_feed_url") else { return nil }
        let scheme = URL(string: feed)?.scheme?.lowercased()
        if scheme != "http" && scheme != "https" {
            reader.problem("upstream.revocation_feed_url", "must be an http or https URL")
        }
        if issuer.enabled {
            reader.problem("upstream.revocation_feed_url",
                           "is for a gateway without the built-in issuer (issuer.enabled: false); the built-in issuer's store already tells its cache")
        }
        guard case .basic = authentication else {
            reader.problem("upstream.revocation_feed_url", "the feed is read as the introspection client: it needs upstream.auth: basic")
            return nil
        }
        return feed
    }
}
