import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import PatgateAdapters
import PatgateCore
import ServiceLifecycle
import UnixSignals

/// Builds the HTTP application and the one `ServiceGroup` that runs it with every other
/// long-running piece.
public enum PatgateApplication {
    /// Every answer's `Server` header.
    static let serverName = "patgate"

    /// Issuer and gateway routes on one router; each route type gets only what it uses.
    public static func router(_ components: Components) -> Router<PatgateRequestContext> {
        router(components, introspection: introspection(components), forwardAuth: ForwardAuthRoutes(components))
    }

    /// The router, with the built-in issuer's introspection endpoint and the forward-auth
    /// endpoints the inline handler shares.
    static func router(_ components: Components, introspection: IntrospectionEndpoint?,
                       forwardAuth: ForwardAuthRoutes?) -> Router<PatgateRequestContext> {
        let config = components.config
        let maxBodyBytes = config.server.maxBodyBytes
        let router = Router(context: PatgateRequestContext.self)
        let methods = RouteMethods()
        router.add(middleware: ChannelLoopMiddleware())
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: TraceContextMiddleware())
        if !config.server.trustedProxies.isEmpty {
            router.add(middleware: ForwardedClientMiddleware(trusted: config.server.trustedProxies))
        }
        router.add(middleware: APIFallbackMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(routes: methods))   // inside: it sees the router's 404
        let live = components.live
        TokenRoutes(live: live, maxBodyBytes: maxBodyBytes).register(on: router)
        DiscoveryRoutes(config: config, live: live, credentials: components.credentials.broker).register(on: router)
        HealthRoutes(readiness: components.readiness, store: components.issuer?.store,
                     revocations: components.revocations).register(on: router)
        ConsoleRoutes().register(on: router)
        forwardAuth?.register(on: router)
        if let registry = components.metrics, config.observability.adminPort == nil {
            MetricsRoutes(registry: registry).register(on: router)
        }
        if let issuer = components.issuer, let management = components.management {
            if let endpoint = introspection {
                IntrospectionRoutes(endpoint: endpoint, maxBodyBytes: maxBodyBytes).register(on: router)
            }
            ManagementAPI(config: config, live: live, management: management, issuer: issuer).register(on: router)
            // The issuer's store is the notifying one: a leaked PAT leaves every cache like any revocation.
            LeakRoutes(leaks: LeakedTokens(issuer: issuer, audit: components.audit), partners: config.leaks).register(on: router)
            if let watcher = components.revocations {
                RevocationFeedRoutes(live: live, source: management.stores.revocations, watcher: watcher,
                                     readiness: components.readiness).register(on: router)
            }
        }
        methods.record(router)
        return router
    }

    /// The built-in issuer's introspection endpoint; `nil` without the issuer.
    static func introspection(_ components: Components) -> IntrospectionEndpoint? {
        guard let issuer = components.issuer, let management = components.management else { return nil }
        let live = components.live
        return IntrospectionEndpoint(
            live: live, issuer: issuer,
            minted: MintedTokenCheck(live: live, issuerURL: components.config.server.issuer, issuer: issuer,
                                     users: management.stores.users),
            usage: management.usage)
    }

    /// The group that runs `components.services` and the HTTP server, in that order, and stops
    /// them in reverse on SIGTERM or SIGINT (when `handlesSignals`). `beforeServing` runs once
    /// the other services run, before the listener opens (first-start work on the store).
    public static func serviceGroup(_ components: Components, logger: Logger, handlesSignals: Bool = true,
                                    beforeServing: @escaping @Sendable () async throws -> Void = {}) -> ServiceGroup {
        let server = components.config.server
        let grace = Duration.seconds(server.shutdownGraceSeconds)
        let linger = TimeAmount.milliseconds(min(250, Int64(server.shutdownGraceSeconds) * 1_000))
        let limits = ConnectionLimits(server, logger: logger)
        let registry = ConnectionRegistry(capacity: limits.maxConnections)
        let introspection = introspection(components)
        let forwardAuth = ForwardAuthRoutes(components)
        let inline = InlineAnswerHandler.Settings(live: components.live, introspection: introspection,
                                                    clients: ForwardedClient(trusted: server.trustedProxies),
                                                    maxBodyBytes: min(server.maxBodyBytes, 16 * 1_024),
                                                    serverName: serverName, logger: logger, forwardAuth: forwardAuth)
        var application = Application(
            router: router(components, introspection: introspection, forwardAuth: forwardAuth),
            server: HTTPServerBuilder { responder in
                PatgateHTTP1Channel(responder: responder, limits: limits, registry: registry, linger: linger, inline: inline)
            },
            configuration: .init(address: .hostname(server.host, port: server.port), serverName: serverName),
            logger: logger)
        application.beforeServerStarts(perform: beforeServing)
        let http = HTTPServerService(application: application, readiness: components.readiness, grace: grace, logger: logger)
        return ServiceGroup(configuration: .init(
            services: (components.services + ObservabilityServices.services(components, logger: logger) + [http]).map { .init(service: $0) },
            gracefulShutdownSignals: handlesSignals ? [.sigterm, .sigint] : [],
            logger: logger))
    }
}
