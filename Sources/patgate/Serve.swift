import ArgumentParser
import Curl
import Foundation
import Logging
import JOSE
import Logging
import PatgateAdapters
import PatgateCore
import PatgateServer
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway and the built-in PAT issuer in one process.",
        discussion: """
            Serves /token, discovery, JWKS, /introspect and the management API /api/v1. On a store \
            without users it creates the administrator 'admin' and prints its password once; change \
            it with `patgate user passwd admin`. On SIGTERM or SIGINT it stops gracefully: /readyz \
            answers 503, the listener closes, requests in flight finish within \
            server.shutdown_grace_seconds (default 10), the audit log is written out, exit code 0. \
            Slow clients are bounded by server.header_timeout_ms, server.body_timeout_ms, \
            server.idle_timeout_seconds and server.max_connections (logged at start). On SIGHUP it \
            reloads the signing keys, the clients and the policies from the configuration file in one \
            step; a configuration that does not load leaves the running one in place and logs why. \
            Prometheus metrics at GET /metrics (metrics.enabled), or with /healthz and /readyz on a \
            listener of their own (server.admin_port); logging.format json for one JSON object a line; \
            spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
            """)

    @OptionGroup var location: ConfigOptions

    @Option(help: "Listen on this port (overrides server.port).")
    var port: Int?

    @Option(help: "Listen on this address (overrides server.host).")
    var host: String?

    @Option(help: "The issuer URL: `iss` of minted tokens and the base of discovery URLs.")
    var issuer: String?

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)   // a peer closing early must not kill the server
        signal(SIGHUP, SIG_IGN)    // until the reloader listens, a reload request must not kill it either
        let (config, firstStart, reload) = try await ConfigLocation(options: location).loadReloadable(
            overrides: .init(host: host, port: port, issuer: issuer, dataDirectory: location.dataDir))
        let level = Logger.Level(rawValue: config.logLevel) ?? .info
        let json = config.observability.logFormat == .json
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "patgate")
        let components = try await Components(config: config, logger: logger, reload: reload)
        if let firstStart { Banner.firstStart(firstStart, config: config) }
        let group = PatgateApplication.serviceGroup(components, logger: logger) {
            // Runs once the store's pool runs, before the listener opens.
            if let password = try await components.management?.accounts.ensureInitialAdmin() {
                Banner.initialAdmin(password: password, config: config)
            }
            logger.info("patgate listening", metadata: [
                "address": "\(config.server.host):\(config.server.port)", "issuer": "\(config.server.issuer)",
                "kid": "\(components.keys.active.keyID)", "upstream": "\(Curl.HTTPRequest.redacted(config.upstream.url))",
                "revocation": "\(config.revocationChannel)",
            ])
        }
        // Runs until SIGTERM or SIGINT, then stops every piece in the documented order.
        try await group.run()
        logCacheStatistics(components.cache, logger: logger)
        logger.info("patgate stopped")
    }

    /// One line at shutdown: what the validation cache saved. `scripts/bench` reads it to
    /// count introspection calls (exactly one per distinct PAT within the cache TTL).
    private func logCacheStatistics(_ cache: CachingTokenValidator, logger: Logger) {
        let statistics = cache.statistics
        logger.info("cache statistics", metadata: [
            "hits": "\(statistics.hits)", "misses": "\(statistics.misses)",
            "upstream_calls": "\(statistics.upstreamCalls)", "entries": "\(cache.count)",
        ])
    }
}
