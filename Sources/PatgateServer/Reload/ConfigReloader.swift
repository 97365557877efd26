import JOSE
import Logging
import PatgateTelemetry
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reloads the configuration on SIGHUP (README, "Reloading the configuration"): it reads the
/// file again, builds the keys, clients and policies from it, and swaps them into
/// `LiveSettings` in one step. A configuration that does not load, or a key file that does not
/// read, changes nothing: the running settings stay and the log says why. In a process started
/// with metrics on, `metrics.enabled` pauses or resumes their recording. Changes to anything
/// else (listener, store, upstream, credential providers, …) wait for a restart, and the log
/// names their sections.
public final class ConfigReloader: Service, Sendable {
    /// What one reload did.
    public enum Outcome: Sendable, Equatable {
        /// Swapped; the sections that changed but need a restart.
        case applied(restartNeeded: [String])
        /// Kept the running settings; the problems found.
        case rejected([String])
    }

    private let live: LiveSettings
    private let fixed: ReloadableSettings.Fixed
    private let load: @Sendable () async throws -> PatgateConfig
    private let running: Mutex<PatgateConfig>
    private let logger: Logger
    private let applied: @Sendable (PatgateConfig, ReloadableSettings) -> Void
    private let pausesMetrics: Bool

    /// `load` reads the configuration as the process started it (same file, same overrides);
    /// `applied` hears of every swap (the key-age metrics). `pausesMetrics`: the process has a
    /// metrics registry, so `metrics.enabled` applies at once (turning metrics on in a process
    /// started without them needs a restart).
    init(live: LiveSettings, fixed: ReloadableSettings.Fixed, running: PatgateConfig, logger: Logger,
         pausesMetrics: Bool = false,
         load: @escaping @Sendable () async throws -> PatgateConfig,
         applied: @escaping @Sendable (PatgateConfig, ReloadableSettings) -> Void = { _, _ in }) {
        self.applied = applied
        self.pausesMetrics = pausesMetrics
        self.live = live
        self.fixed = fixed
        self.running = Mutex(running)
        self.logger = logger
        self.load = load
    }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            await reload()
        }
    }

    /// Reads the configuration and swaps the reloadable settings, or keeps them and says why.
    @discardableResult
    public func reload() async -> Outcome {
        let loaded: PatgateConfig
        do {
            loaded = try await load()
        } catch {
            return reject(Self.problems(error))
        }
        let current = running.withLock { $0 }
        let merged = Self.merge(reloadable: loaded, into: current, metrics: pausesMetrics)
        let settings: ReloadableSettings
        do {
            settings = try ReloadableSettings(config: merged, fixed: fixed)
        } catch {
            return reject(Self.problems(error))
        }
        running.withLock { $0 = merged }
        live.replace(with: settings)
        if pausesMetrics { Meters.setRecording(merged.observability.metricsEnabled) }
        applied(merged, settings)
        // What the file asks for that the merge did not take.
        let restartNeeded = RestartOnlyChanges.sections(from: merged, to: loaded)
        var metadata: Logger.Metadata = [
            "kid": "\(settings.keys.active.keyID)", "next": "\(settings.keys.next.map(\.keyID))",
            "retired": "\(settings.keys.retired.map(\.keyID))", "clients": "\(merged.clients.count)",
        ]
        if pausesMetrics { metadata["metrics"] = "\(merged.observability.metricsEnabled ? "on" : "paused")" }
        if !restartNeeded.isEmpty { metadata["restart_needed"] = "\(restartNeeded.joined(separator: ", "))" }
        logger.notice("configuration reloaded: keys, clients and policy", metadata: metadata)
        return .applied(restartNeeded: restartNeeded)
    }

    private func reject(_ problems: [String]) -> Outcome {
        // One log line: a YAML parser's message may span several.
        let flat = problems.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
        logger.error("configuration reload failed; the running configuration stays", metadata: [
            "problems": "\(flat.joined(separator: "; "))",
        ])
        return .rejected(problems)
    }

    /// `running` with the reloadable sections of `loaded`: keys, clients, `policy`, `claims`,
    /// `issuer.policy`, and `metrics.enabled` when `metrics` (the process has a registry).
    static func merge(reloadable loaded: PatgateConfig, into running: PatgateConfig, metrics: Bool) -> PatgateConfig {
        var merged = running
        if metrics { merged.observability.metricsEnabled = loaded.observability.metricsEnabled }
        merged.keys = loaded.keys
        merged.clients = loaded.clients
        merged.policy = loaded.policy
        merged.claimCopy = loaded.claimCopy
        merged.issuer.policy = loaded.issuer.policy
        return merged
    }

    private static func problems(_ error: any Error) -> [String] {
        (error as? ConfigError)?.problems ?? ["\(error)"]
    }
}
