import Foundation
import PatgateServer

/// Finds the configuration file, creating the embedded default on first use.
struct ConfigLocation {
    let options: ConfigOptions

    var dataDirectory: String {
        options.dataDir ?? ProcessInfo.processInfo.environment["PATGATE_DATA_DIR"] ?? "data"
    }

    /// The config path; `firstStart` is set when this call created it.
    func resolve(createIfMissing: Bool, port: Int? = nil) throws -> (path: String, firstStart: FirstStart.Summary?) {
        if let path = options.config {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigError(["\(path): no such configuration file"])
            }
            return (path, nil)
        }
        let start = FirstStart(dataDirectory: dataDirectory, port: port ?? 8080)
        if FileManager.default.fileExists(atPath: start.configPath) || !createIfMissing {
            return (start.configPath, nil)
        }
        let summary = try start.run()
        return (summary.configPath, summary)
    }

    func load(createIfMissing: Bool = true, overrides: ConfigLoader.Overrides = .init()) async throws -> (PatgateConfig, FirstStart.Summary?) {
        let (config, summary, _) = try await loadReloadable(createIfMissing: createIfMissing, overrides: overrides)
        return (config, summary)
    }

    /// As `load`, with a closure that reads the same file with the same overrides again (SIGHUP).
    func loadReloadable(createIfMissing: Bool = true, overrides: ConfigLoader.Overrides = .init()) async throws
        -> (PatgateConfig, FirstStart.Summary?, @Sendable () async throws -> PatgateConfig) {
        let (path, summary) = try resolve(createIfMissing: createIfMissing, port: overrides.port)
        var overrides = overrides
        if options.config != nil, overrides.dataDirectory == nil { overrides.dataDirectory = options.dataDir }
        let fixedOverrides = overrides
        let reload: @Sendable () async throws -> PatgateConfig = {
            try await ConfigLoader.load(file: path, overrides: fixedOverrides)
        }
        return (try await reload(), summary, reload)
    }
}
