import Logging
import ServiceLifecycle

/// Drops expired temporary PostgreSQL logins every `reap_interval_seconds`: a `Service` of the
/// composition root's group, stopped before the admin pool it uses.
struct PostgresLoginReaper: Service {
    let provider: PostgresLoginProvider
    let interval: Duration

    func run() async {
        await cancelWhenGracefulShutdown { [provider, interval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                do {
                    _ = try await provider.reap()
                } catch {
                    provider.logger.warning("PostgreSQL login reaper: \(error)")
                }
            }
        }
    }
}
