import Configuration
import Curl
import Foundation
import PatgateAdapters
import PatgateCore
import SystemPackage

/// Reads `PatgateConfig` from a YAML file with `PATGATE_*` environment overrides
/// (`upstream.client_secret` ← `PATGATE_UPSTREAM_CLIENT_SECRET`).
public enum ConfigLoader {
    /// What the command line sets; it wins over the file and the environment.
    public struct Overrides: Sendable {
        public var host: String?
        public var port: Int?
        public var issuer: String?
        public var dataDirectory: String?
        public init(host: String? = nil, port: Int? = nil, issuer: String? = nil, dataDirectory: String? = nil) {
            self.host = host
            self.port = port
            self.issuer = issuer
            self.dataDirectory = dataDirectory
        }
    }

    public static func load(
        file: String, overrides: Overrides = .init(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> PatgateConfig {
        let log = ConfigKeyLog()
        let reader = try await reader(file: file, environment: environment, reporter: log)
        let base = dataDirectory(reader, file: file, overrides: overrides)
        var parser = ConfigParser(reader: CheckedReader(reader), dataDirectory: base, overrides: overrides)
        // Every key the parser asks for is known; a key set in the file or the environment
        // that it never asked for is a problem (a typo would otherwise be ignored).
        return try parser.parse { UnknownKeys(file: file, environment: environment).problems(known: log.known) }
    }

    /// The YAML file under the `PATGATE_*` environment variables.
    static func reader(
        file: String, environment: [String: String], reporter: (any AccessReporter)? = nil
    ) async throws -> ConfigReader {
        let provider: FileProvider<YAMLSnapshot>
        do {
            provider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(file))
        } catch {
            throw ConfigError(["\(file): cannot be read as YAML (\(error))"])
        }
        let variables = EnvironmentVariablesProvider(environmentVariables: environment)
        return ConfigReader(providers: [variables.prefixKeys(with: ConfigKey("patgate")), provider], accessReporter: reporter)
    }

    /// Relative paths are resolved against this: the override, `data_dir`, or the file's folder.
    static func dataDirectory(_ reader: ConfigReader, file: String, overrides: Overrides) -> String {
        let configured = reader.string(forKey: "data_dir")   // asked for first, so it is a known key
        return overrides.dataDirectory ?? configured
            ?? URL(fileURLWithPath: file).deletingLastPathComponent().path
    }
}
