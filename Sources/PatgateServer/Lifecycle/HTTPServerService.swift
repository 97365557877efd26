import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP server as the last `Service` of the composition root's group, so it is the first
/// to stop (docs/ARCHITECTURE.md, "Lifecycle"): `/readyz` answers 503 at once, the listener
/// closes, keep-alive connections close after their next answer (`ConnectionGuardHandler`), and
/// requests in flight finish within `grace`; after it, their connections are closed. The
/// group then stops the pieces these requests used.
struct HTTPServerService<App: ApplicationProtocol>: Service {
    let application: App
    let readiness: Readiness
    let grace: Duration
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.run() }
                group.addTask { [grace, logger] in
                    try await gracefulShutdown()
                    try await Task.sleep(for: grace)
                    logger.warning("requests still running after server.shutdown_grace_seconds; closing their connections")
                }
                // The server stopped (or failed to start), or the grace ran out: end the other.
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            readiness.beginStopping()
        }
    }
}
