import Curl
import Foundation
import JOSE
import OpenSSL
import PatgateAdapters
import PatgateCore

/// Turns configuration keys into a checked `PatgateConfig`, collecting every problem.
struct ConfigParser {
    var reader: CheckedReader
    let dataDirectory: String
    let overrides: ConfigLoader.Overrides

    init(reader: CheckedReader, dataDirectory: String, overrides: ConfigLoader.Overrides) {
        self.reader = reader
        self.dataDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.overrides = overrides
    }

    /// A path relative to the data directory, or absolute.
    func path(_ value: String) -> String {
        value.hasPrefix("/") ? value : dataDirectory + "/" + value
    }

    /// `unknownKeys` runs after every read, so it sees every key the parser asks for.
    mutating func parse(unknownKeys: () -> [(key: String, text: String)] = { [] }) throws -> PatgateConfig {
        let server = parseServer()
        let issuer = parseIssuer()
        var config = PatgateConfig(
            dataDirectory: dataDirectory,
            server: server,
            keys: parseKeys(),
            issuer: issuer,
            upstream: parseUpstream(server: server, issuer: issuer),
            cache: CacheSettings(
                positiveTTL: Int64(reader.int("cache.ttl_seconds", default: 60, in: 0...86_400)),
                negativeTTL: Int64(reader.int("cache.negative_ttl_seconds", default: 5, in: 0...3_600)),
                maxEntries: reader.int("cache.max_entries", default: 100_000, in: 0...50_000_000)),
            policy: ExchangePolicy(
                maxTokenLifetime: Int64(reader.int("policy.max_token_lifetime_seconds", default: 600, in: 1...86_400)),
                defaultAudiences: reader.list("policy.default_audience") ?? ["patgate"]),
            claimCopy: parseClaimCopy(),
            clients: parseClients(),
            logLevel: reader.string("logging.level", default: "info"))
        config.accounts = parseAccounts()
        config.observability = parseObservability(mainPort: server.port)
        config.credentials.s3 = parseS3()
        config.credentials.x509 = parseX509()
        config.credentials.postgres = parsePostgresCredentials()
        config.leaks = parseLeaks(issuerEnabled: issuer.enabled)
        config.authz = parseAuthz(clients: config.clients)
        config.auditPath = reader.string("audit.path").map { $0 == "-" ? $0 : path($0) } ?? path("audit.jsonl")
        if config.policy.defaultAudiences.isEmpty {
            reader.problem("policy.default_audience", "needs at least one audience")
        }
        for (key, text) in unknownKeys() { reader.problem(key, text) }
        guard reader.problems.isEmpty else { throw ConfigError(reader.problems) }
        return config
    }

    mutating func parseServer() -> PatgateConfig.Server {
        // Asked for even when the command line overrides them, so they stay known keys.
        _ = (reader.string("server.host"), reader.string("server.port"), reader.string("server.issuer"))
        let host = overrides.host ?? reader.string("server.host", default: "127.0.0.1")
        let port = overrides.port ?? reader.int("server.port", default: 8080, in: 0...65_535)
        let publicHost = host == "0.0.0.0" || host == "::" ? "localhost" : host
        let bracketed = publicHost.contains(":") ? "[\(publicHost)]" : publicHost
        let issuer = overrides.issuer ?? reader.string("server.issuer") ?? "http://\(bracketed):\(port)"
        if URL(string: issuer)?.scheme?.hasPrefix("http") != true || issuer.contains("#") || issuer.contains("?") {
            reader.problem("server.issuer", "must be an http(s) URL without query or fragment")
        }
        var server = PatgateConfig.Server(
            host: host, port: port, issuer: issuer,
            maxBodyBytes: reader.int("server.max_body_bytes", default: 16_384, in: 1_024...1_048_576),
            shutdownGraceSeconds: reader.int("server.shutdown_grace_seconds", default: 10, in: 0...3_600))
        server.headerTimeoutMilliseconds = reader.int("server.header_timeout_ms", default: 10_000, in: 100...600_000)
        server.bodyTimeoutMilliseconds = reader.int("server.body_timeout_ms", default: 30_000, in: 100...3_600_000)
        server.idleTimeoutSeconds = reader.int("server.idle_timeout_seconds", default: 60, in: 1...3_600)
        server.maxConnections = reader.optionalInt("server.max_connections", in: 1...1_048_576)
        for entry in reader.list("server.trusted_proxies") ?? [] {
            guard let network = IPNetwork(entry) else {
                reader.problem("server.trusted_proxies", "\(entry): not an IP address or CIDR network")
                continue
            }
            server.trustedProxies.append(network)
        }
        return server
    }

    mutating func parseKeys() -> PatgateConfig.Keys {
        var algorithm: SignatureAlgorithm?
        if let name = reader.string("keys.algorithm") {
            algorithm = SignatureAlgorithm(rawValue: name)
            if algorithm == nil {
                reader.problem("keys.algorithm", "must be one of \(SignatureAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let retired = (reader.list("keys.retired") ?? []).map(path)
        let next = (reader.list("keys.next") ?? []).map(path)
        let maxAge = reader.int("keys.jwks_max_age_seconds", default: 300, in: 0...86_400)
        let setupsAhead = reader.bool("keys.ecdsa_setups_ahead", default: false)
        guard let active = reader.string("keys.active") else {
            reader.problem("keys.active", "the path of the PEM signing key is required")
            return .init(activePath: "", algorithm: algorithm, retiredPaths: [])
        }
        let keys = PatgateConfig.Keys(activePath: path(active), algorithm: algorithm, retiredPaths: retired,
                                      nextPaths: next, jwksMaxAge: maxAge, ecdsaSetupsAhead: setupsAhead)
        checkKey("keys.active", keys.activePath, algorithm)
        for retired in keys.retiredPaths { checkKey("keys.retired", retired, nil) }
        for staged in keys.nextPaths { checkKey("keys.next", staged, nil) }
        return keys
    }

    /// Loads a key once to report a bad file with the key that names it (the server loads it again).
    mutating func checkKey(_ key: String, _ file: String, _ algorithm: SignatureAlgorithm?) {
        do {
            _ = try SigningKey(contentsOfFile: file, algorithm: algorithm)
        } catch {
            reader.problem(key, "\(file): \(error)")
        }
    }

    mutating func parseIssuer() -> PatgateConfig.Issuer {
        let prefix = reader.string("issuer.token_prefix", default: "pgat")
        if PATFormat(prefix: prefix) == nil {
            reader.problem("issuer.token_prefix", "must be 1 to 16 characters of a-z and 0-9")
        }
        let scopes = reader.list("issuer.scopes") ?? ["openid", "profile", "email", "credentials", "tokens"]
        for scope in scopes where !ScopeList.isValidToken(scope) {
            reader.problem("issuer.scopes", "'\(scope)' is not a valid scope token")
        }
        let enabled = reader.bool("issuer.enabled", default: true)
        let hashKeyFile = path(reader.string("issuer.hash_key_file", default: "secrets/pat-hash.key"))
        if enabled, (try? Components.readHashKey(hashKeyFile)) == nil {
            reader.problem("issuer.hash_key_file", "\(hashKeyFile) must hold at least 32 random bytes, base64url-encoded")
        }
        let (kind, postgres) = parseStore()
        return .init(
            enabled: enabled,
            storeKind: kind,
            sqlitePath: path(reader.string("store.sqlite_path", default: "patgate.sqlite")),
            postgres: postgres,
            tokenPrefix: prefix,
            hashKeyFile: hashKeyFile,
            scopes: scopes,
            policy: parseLifetimePolicy())
    }

    mutating func parseClaimCopy() -> ClaimCopy {
        var rules: [ClaimCopy.Rule] = []
        for entry in reader.list("policy.copy_claims") ?? ["username=preferred_username"] {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            rules.append(.init(from: parts[0], to: parts.count == 2 ? parts[1] : parts[0]))
        }
        do {
            return try ClaimCopy(rules: rules)
        } catch {
            reader.problem("policy.copy_claims", error.description)
            return .none
        }
    }
}
