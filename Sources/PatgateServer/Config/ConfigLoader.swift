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
        let reader = try await reader(file: file, environment: environment)
        let base = dataDirectory(reader, file: file, overrides: overrides)
        var parser = ConfigParser(reader: CheckedReader(reader), dataDirectory: base, overrides: overrides)
        return try parser.parse()
    }

    /// The YAML file under the `PATGATE_*` environment variables.
    static func reader(file: String, environment: [String: String]) async throws -> ConfigReader {
        let provider: FileProvider<YAMLSnapshot>
        do {
            provider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(file))
        } catch {
            throw ConfigError(["\(file): cannot be read as YAML (\(error))"])
        }
        let variables = EnvironmentVariablesProvider(environmentVariables: environment)
        return ConfigReader(providers: [variables.prefixKeys(with: ConfigKey("patgate")), provider])
    }

    /// Relative paths are resolved against this: the override, `data_dir`, or the file's folder.
    static func dataDirectory(_ reader: ConfigReader, file: String, overrides: Overrides) -> String {
        overrides.dataDirectory ?? reader.string(forKey: "data_dir")
            ?? URL(fileURLWithPath: file).deletingLastPathComponent().path
    }
}
