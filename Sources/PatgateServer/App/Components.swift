import Curl
import HTTPTypes
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
    /// The keys, clients and policies in force; SIGHUP replaces them (`reloader`).
    public let live: LiveSettings
    /// Reloads `live` on SIGHUP; `nil` when the caller gave no way to read the configuration again.
    public let reloader: ConfigReloader?
    /// The audit log (`audit.path`), shared by the issuer and the credential providers.
    public let audit: any AuditLog
    /// The writer behind `audit`; `nil` for a stateless gateway without credential providers,
    /// which has nothing to audit and may run without a writable data directory.
    public let auditWriter: JSONLinesAuditLog?
    /// The built-in issuer; `nil` when this process runs the gateway role only.
    public let issuer: PATIssuer?
    /// Users, sessions and token management; `nil` without the built-in issuer.
    public let management: Management?
    public let upstream: IntrospectionClient
    public let cache: CachingTokenValidator
    /// Forward auth's JWTs per (PAT digest, route), each with its allow answer's headers,
    /// purged with `cache` by the revocation watcher; `nil` without `authz` or with
    /// `authz.cache.max_entries: 0`.
    public let forwardAuthCache: ForwardAuthTokenCache<HTTPFields>?
    /// Purges the cache, and drops the PostgreSQL logins, of every revocation the issuer's store
    /// records, or, for a gateway-only deployment with `upstream.revocation_feed_url`, the
    /// upstream issuer's feed announces; `nil` for a gateway in front of a third-party upstream
    /// (then `cache.ttl_seconds` bounds revocation).
    public let revocations: RevocationWatcher?
    /// Wakes the watcher when another replica revokes: PostgreSQL's `LISTEN` (`store.kind: postgres`).
    let revocationListener: PostgresRevocationListener?
    /// The libcurl client of the revocation feed (a gateway-only deployment).
    let revocationFeedWorker: HTTPClient?
    public let credentials: CredentialSet
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

    /// `reload` reads the configuration again as the process first read it; with it, SIGHUP
    /// reloads the keys, clients and policies.
    public init(config: PatgateConfig, logger: Logger,
                reload: (@Sendable () async throws -> PatgateConfig)? = nil) async throws {
        self.config = config
        // First: the adapters built below look whether metrics are on.
        metrics = config.observability.metricsEnabled ? Meters.install(version: BuildInfo.version) : nil
        spanExporter = try Self.makeSpanExporter(config.observability, logger: logger)
        auditWriter = config.issuer.enabled || !config.credentials.enabledProviders.isEmpty || config.authz != nil
            ? try Self.makeAuditLog(config, logger: logger) : nil
        let writer: any AuditLog = auditWriter ?? NoAuditLog()
        // The metric wrappers stay on with metrics off (their recorders return at once), so a
        // reload that pauses metrics runs the same code as a start without them.
        audit = MeteredAuditLog(writer)   // counts console logins
        upstream = try IntrospectionClient(config: config.upstream, logger: logger)
        cache = try CachingTokenValidator(upstream: upstream, settings: config.validationCacheSettings)
        forwardAuthCache = try config.authz.flatMap { authz in
            authz.cacheMaxEntries == 0 || config.cache.positiveTTL == 0 ? nil
                : try ForwardAuthTokenCache(margin: authz.cacheMargin, ttl: config.cache.positiveTTL, maxEntries: authz.cacheMaxEntries)
        }
        let dependentCaches: [any RevocationPurgeable] = forwardAuthCache.map { [$0] } ?? []
        let credentials = try CredentialSet(config, audit: audit, logger: logger)
        self.credentials = credentials
        let fixed = ReloadableSettings.Fixed(validator: cache, credentials: credentials.broker,
                                             observer: ExchangeMetrics())
        let live = LiveSettings(try ReloadableSettings(config: config, fixed: fixed))
        self.live = live
        let metered = metrics != nil
        reloader = reload.map {
            ConfigReloader(live: live, fixed: fixed, running: config, logger: logger, pausesMetrics: metered, load: $0) { config, settings in
                if metered { Self.recordKeyDates(config, keys: settings.keys) }
            }
        }
        if config.issuer.enabled {
            let stores = try await Self.openStores(config.issuer, logger: logger)
            let watcher = RevocationWatcher(source: stores.revocations, cache: cache, dependentCaches: dependentCaches, handlers: credentials.revocationHandlers,
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
                tokens: TokenManagement(issuer: issuer, policy: { live.current.lifetimes }, audit: audit),
                usage: UsageQueue(recorder: UsageRecorder(store: stores.pats, audit: audit), logger: logger))
        } else {
            issuer = nil
            management = nil
            revocationListener = nil
            if let feedURL = config.upstream.revocationFeedURL {
                let feed = try RevocationFeedClient(url: feedURL, authentication: config.upstream.authentication,
                                                    options: config.upstream.http, logger: logger)
                revocations = RevocationWatcher(source: feed, cache: cache, dependentCaches: dependentCaches, handlers: credentials.revocationHandlers,
                                                sourceName: "the revocation feed", logger: logger)
                revocationFeedWorker = feed.http
            } else {
                revocations = nil
                revocationFeedWorker = nil
            }
        }
        if metrics != nil { Self.recordKeyDates(config, keys: live.current.keys) }
    }

    /// The signing keys in force now.
    public var keys: KeyRing { live.current.keys }

    /// The long-running pieces other than the HTTP server, in start order. The group stops
    /// them in reverse, after the server: the reaper, the revocation listener and watcher, the usage
    /// recorder (it writes to the store and the audit log), the audit writer, the database pools,
    /// the libcurl clients.
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
        if let reloader { services.append(reloader) }
        return services
    }
}
