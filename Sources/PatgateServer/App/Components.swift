import Curl
import Logging
import PatgateAdapters
import PatgateCore
import PatgateTelemetry
import ServiceLifecycle

/// The composition root: every piece of a serving patgate, built once from the configuration,
/// top to bottom. It is the one place that knows them all; each route type receives only
/// the few it uses (`PatgateApplication.router`), and `services` lists the long-running ones
/// for the one `ServiceGroup` (docs/ARCHITECTURE.md, "Lifecycle").
public struct Components: Sendable {
    public let config: PatgateConfig
    public let keys: KeyRing
    public let clients: ClientAuthenticator
    /// The audit log (`audit.path`), shared by the issuer and the credential providers.
    public let audit: any AuditLog
    /// The writer behind `audit`; `nil` for a stateless gateway without credential providers,
    /// which has nothing to audit and may run without a writable data directory.
    let auditWriter: JSONLinesAuditLog?
    /// The built-in issuer; `nil` when this process runs the gateway role only.
    public let issuer: PATIssuer?
    /// Users, sessions and token management; `nil` without the built-in issuer.
    public let management: Management?
    public let upstream: IntrospectionClient
    public let cache: CachingTokenValidator
    /// Purges the cache, and drops the PostgreSQL logins, of every revocation the issuer's store
    /// records, or, for a gateway-only deployment with `upstream.revocation_feed_url`, the
    /// upstream issuer's feed announces; `nil` for a gateway in front of a third-party upstream
    /// (then `cache.ttl_seconds` bounds revocation).
    public let revocations: RevocationWatcher?
    /// Wakes the watcher when another replica revokes: PostgreSQL's `LISTEN` (`store.kind: postgres`).
    let revocationListener: PostgresRevocationListener?
    /// The libcurl worker of the revocation feed (a gateway-only deployment).
    let revocationFeedWorker: HTTPClient?
    public let credentials: CredentialSet
    public let exchange: TokenExchangeService
    /// `/readyz` answers 503 once the stop began.
    public let readiness = Readiness()
    /// The process's metrics registry; `nil` with `metrics.enabled: false`.
    public let metrics: MetricsRegistry?
    /// Sends spans over OTLP/HTTP; `nil` without `OTEL_EXPORTER_OTLP_ENDPOINT`.
    let spanExporter: OTLPExporter?

    /// The issuer's side: its stores, the management API's services and the usage recorder.
    public struct Management: Sendable {
        public let stores: IssuerStores
        public let accounts: AccountService
        public let sessions: SessionService
        public let tokens: TokenManagement
        public let usage: UsageQueue
    }

    public init(config: PatgateConfig, logger: Logger) async throws {
        self.config = config
        // First: the adapters built below look whether metrics are on.
        metrics = config.observability.metricsEnabled ? Meters.install(version: BuildInfo.version) : nil
        spanExporter = try Self.makeSpanExporter(config.observability, logger: logger)
        keys = try KeyRing(config: config.keys)
        clients = ClientAuthenticator(clients: config.clients)
        auditWriter = config.issuer.enabled || !config.credentials.enabledProviders.isEmpty
            ? try Self.makeAuditLog(config, logger: logger) : nil
        let writer: any AuditLog = auditWriter ?? NoAuditLog()
        audit = metrics == nil ? writer : MeteredAuditLog(writer)   // counts console logins
        upstream = try IntrospectionClient(config: config.upstream, logger: logger)
        cache = try CachingTokenValidator(upstream: upstream, settings: config.validationCacheSettings)
        let credentials = try CredentialSet(config, audit: audit, logger: logger)
        self.credentials = credentials
        if config.issuer.enabled {
            let stores = try await Self.openStores(config.issuer, logger: logger)
            let watcher = RevocationWatcher(source: stores.revocations, cache: cache, handlers: credentials.revocationHandlers,
                                            logger: logger)
            // What this process revokes leaves its own cache before the call returns.
            let pats = RevocationNotifyingPATStore(stores.pats, watcher: watcher)
            let users = RevocationNotifyingUserStore(stores.users, watcher: watcher)
            let issuer = try Self.makeIssuer(config.issuer, pats: pats, users: users)
            self.issuer = issuer
            revocations = watcher
            revocationListener = stores.revocationListener(waking: watcher, logger: logger)
            revocationFeedWorker = nil
            management = Management(
                stores: stores,
                accounts: try await Self.makeAccounts(config, stores: stores, users: users, audit: audit),
                sessions: SessionService(store: stores.sessions, users: users, idleTimeout: config.accounts.idleTimeout,
                                         absoluteTimeout: config.accounts.absoluteTimeout, audit: audit),
                tokens: TokenManagement(issuer: issuer, policy: config.issuer.policy, audit: audit),
                usage: UsageQueue(recorder: UsageRecorder(store: stores.pats, audit: audit), logger: logger))
        } else {
            issuer = nil
            management = nil
            revocationListener = nil
            if let feedURL = config.upstream.revocationFeedURL {
                let feed = try RevocationFeedClient(url: feedURL, authentication: config.upstream.authentication,
                                                    options: config.upstream.http, logger: logger)
                revocations = RevocationWatcher(source: feed, cache: cache, handlers: credentials.revocationHandlers,
                                                sourceName: "the revocation feed", logger: logger)
                revocationFeedWorker = feed.http
            } else {
                revocations = nil
                revocationFeedWorker = nil
            }
        }
        exchange = TokenExchangeService(
            clients: clients, validator: cache, policy: config.policy,
            minter: AccessTokenMinter(issuer: config.server.issuer, signer: keys.signer, claimCopy: config.claimCopy),
            credentials: credentials.broker, observer: metrics == nil ? nil : ExchangeMetrics())
        if metrics != nil { Self.recordKeyDates(config, keys: keys) }
    }

    /// The long-running pieces other than the HTTP server, in start order. The group stops
    /// them in reverse, after the server: the reaper, the revocation listener and watcher, the usage
    /// recorder (it writes to the store and the audit log), the audit writer, the database pools,
    /// the libcurl workers.
    public var services: [any Service] {
        var services: [any Service] = [upstream.http]
        if let revocationFeedWorker { services.append(revocationFeedWorker) }
        services += credentials.workers
        services += management?.stores.services ?? []
        services += credentials.pools
        if let auditWriter { services.append(auditWriter) }
        if let management { services.append(management.usage) }
        if let revocations { services.append(revocations) }
        if let revocationListener { services.append(revocationListener) }
        services += credentials.tasks
        return services
    }
}
