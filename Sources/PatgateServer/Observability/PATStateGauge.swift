import Logging
import PatgateCore
import PatgateTelemetry
import ServiceLifecycle

/// Sets `patgate_pats{state}` from the store every `interval` (a `Service` of the group):
/// one counting query, so a scrape never waits on the database; none while metrics are paused.
struct PATStateGauge: Service {
    let census: any PATCensus
    let interval: Duration
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                if !Meters.isEnabled {
                    try? await Task.sleep(for: interval)
                    continue
                }
                do {
                    for (state, count) in try await census.countByState(at: UnixTime.now()) {
                        Meters.pats(state: state.rawValue, count: count)
                    }
                    failing = false
                } catch {
                    if !failing { logger.warning("cannot count PATs by state for patgate_pats", metadata: ["error": "\(type(of: error))"]) }
                    failing = true
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
