import Logging
import PostgresNIO
import ServiceLifecycle

/// Wakes the revocation watcher the moment another replica (or the CLI) commits a revocation:
/// `LISTEN patgate_revocation` on a connection of its own, which the trigger of migration
/// `0004_revocation_notify` notifies (docs/ARCHITECTURE.md, "Revocation"). A `Service` of the
/// composition root's group, next to the watcher.
///
/// A notification only says "read now": the watcher reads the events from the table as it
/// does when it polls, so a lost or coalesced notification loses nothing. When the connection
/// drops, the listener reconnects with a backoff of up to `maximumBackoff`; once it listens
/// again the watcher reads at once, catching up from the last event it applied, and meanwhile
/// it polls at its full rate.
public final class PostgresRevocationListener: Service {
    static let channel = "patgate_revocation"

    private let settings: PostgresSettings
    private let watcher: RevocationWatcher
    private let maximumBackoff: Duration
    private let logger: Logger

    public init(settings: PostgresSettings, watcher: RevocationWatcher, maximumBackoff: Duration = .seconds(5),
                logger: Logger) {
        self.settings = settings
        self.watcher = watcher
        self.maximumBackoff = maximumBackoff
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown { [self] in
            var backoff = Duration.milliseconds(100)
            var reported = false   // the loss of the channel is logged once per outage
            while !Task.isCancelled {
                var connection: PostgresConnection?
                do {
                    connection = try await settings.connection(id: 1, logger: logger)
                    try await connection?.listen(on: Self.channel) { notifications in
                        watcher.pushChannel(isLive: true)
                        backoff = .milliseconds(100)
                        if reported { logger.info("revocation notifications from PostgreSQL are received again") }
                        reported = false
                        for try await _ in notifications { watcher.wake() }
                        if !Task.isCancelled { throw PostgresStoreError(.unavailable, "the listening connection closed") }
                    }
                } catch {
                    if !Task.isCancelled && !reported {
                        logger.warning("cannot listen for revocation notifications; polling the store instead",
                                       metadata: ["error": "\(PostgresStoreError.reason(error))"])
                        reported = true
                    }
                }
                watcher.pushChannel(isLive: false)
                try? await connection?.close()
                if Task.isCancelled { break }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, maximumBackoff)
            }
        }
    }
}
