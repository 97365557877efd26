import Curl
import OpenSSL
import PatgateAdapters
import PatgateCore

/// The whole configuration, resolved and checked. `ConfigLoader` builds it from the YAML
/// file and the environment; every key is documented in the README.
public struct PatgateConfig: Sendable {
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        /// `iss` of minted tokens and the base of every discovery URL.
        public var issuer: String
        public var maxBodyBytes: Int
        /// How long requests in flight may take to finish once a stop began (SIGTERM).
        public var shutdownGraceSeconds: Int = 10
        /// How long a request head may take: from the accept, or from its first byte after an answer.
        public var headerTimeoutMilliseconds: Int = 10_000
        /// How long a request body may take from its head.
        public var bodyTimeoutMilliseconds: Int = 30_000
        /// How long a keep-alive connection may wait for its next request.
        public var idleTimeoutSeconds: Int = 60
        /// Open connections at most; nil: derived from the file-descriptor limit (`ConnectionLimits`).
        public var maxConnections: Int?
        /// `server.trusted_proxies`: peers whose `X-Forwarded-For` names the client.
        var trustedProxies: [IPNetwork] = []
    }

    public struct Keys: Sendable {
        public var activePath: String
        public var algorithm: SignatureAlgorithm?
        public var retiredPaths: [String]
        /// `keys.next`: staged keys, published in the JWKS before any replica signs with them.
        public var nextPaths: [String] = []
        /// `keys.jwks_max_age_seconds`: how long verifiers may cache the JWKS; the wait between
        /// staging a key and promoting it.
        public var jwksMaxAge: Int = 300
        /// `keys.ecdsa_setups_ahead`: ECDSA keys sign with nonce set-ups made ahead on an idle
        /// core (docs/ARCHITECTURE.md, "Threads"); off by default, every signature whole.
        public var ecdsaSetupsAhead: Bool = false
    }

    public struct Issuer: Sendable {
        public var enabled: Bool
        /// `store.kind`: which database holds PATs, users and sessions.
        public var storeKind: IssuerStores.Kind
        public var sqlitePath: String
        /// From `store.postgres_url` (a secret); set when `storeKind` is `.postgres`.
        public var postgres: PostgresSettings?
        public var tokenPrefix: String
        public var hashKeyFile: String
        public var scopes: [String]
        /// `issuer.policy.*`: PAT lifetimes the management API allows.
        public var policy: LifetimePolicy = .none
    }

    /// Local accounts, login throttling and console sessions.
    public struct Accounts: Sendable {
        /// `sessions.idle_timeout_seconds`
        public var idleTimeout: Int64 = 1_800
        /// `sessions.absolute_timeout_seconds`
        public var absoluteTimeout: Int64 = 43_200
        /// `login.*`
        public var throttle = LoginThrottle.Settings()
        /// `users.bcrypt_cost`
        public var bcryptCost = 12
    }

    /// `credentials.*`: the providers the `credentials` scope calls; each is off unless configured.
    public struct Credentials: Sendable {
        /// `credentials.s3.*`: on when `sts_endpoint` is set.
        public var s3: S3CredentialSettings?
        /// `credentials.x509.*`: client certificates signed by a CA (`nil`: off).
        public var x509: X509Settings?
        /// `credentials.postgres.*`: temporary PostgreSQL logins.
        public var postgres: PostgresLoginSettings?

        /// The names of the configured providers, in the order they issue.
        public var enabledProviders: [String] {
            [s3 == nil ? nil : "s3", postgres == nil ? nil : "postgres", x509 == nil ? nil : "x509"].compactMap { $0 }
        }
    }

    public var dataDirectory: String
    public var server: Server
    public var keys: Keys
    public var issuer: Issuer
    public var upstream: IntrospectionClientConfig
    public var cache: CacheSettings
    public var policy: ExchangePolicy
    public var claimCopy: ClaimCopy
    public var clients: [OAuthClient]
    public var logLevel: String
    public var accounts = Accounts()
    /// `audit.path`: the JSON Lines audit log; `-` is standard error.
    public var auditPath = "audit.jsonl"
    public var credentials = Credentials()
    /// `leaks.<partner>.*`: the secret-scanning partners whose signed reports revoke PATs
    /// (`POST /leaks/<partner>`); only those with keys.
    public var leaks: [PartnerKeys] = []
    /// `authz.*`: forward auth for API gateways (`/authz/...`); `nil`: off.
    public var authz: AuthzSettings?
    /// `metrics.enabled`, `server.admin_port`, `logging.format`.
    public var observability = Observability()

    /// Session cookies get `Secure` when the issuer URL is https.
    public var secureCookies: Bool { server.issuer.lowercased().hasPrefix("https:") }

    /// The discovery URLs, all under `server.issuer`.
    public func endpoint(_ path: String) -> String {
        (server.issuer.hasSuffix("/") ? String(server.issuer.dropLast()) : server.issuer) + path
    }
}
