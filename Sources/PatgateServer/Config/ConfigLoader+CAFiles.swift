import Configuration
import Foundation

extension ConfigLoader {
    /// The CA files `credentials.x509` uses: `ca_certificate` and `ca_key` from `file` (or their
    /// defaults, `secrets/ca.pem` and `secrets/ca-key.pem`), resolved against the data directory.
    /// Reads only those keys, so it works before the CA exists. Without a file, the defaults
    /// under `dataDirectory`.
    public static func caFiles(
        file: String?, dataDirectory: String, overrides: Overrides = .init(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> (certificate: String, key: String) {
        var base = dataDirectory
        var certificate = ConfigParser.defaultCACertificate
        var key = ConfigParser.defaultCAKey
        if let file {
            let reader = try await reader(file: file, environment: environment)
            base = self.dataDirectory(reader, file: file, overrides: overrides)
            certificate = reader.string(forKey: "credentials.x509.ca_certificate").flatMap { $0.isEmpty ? nil : $0 } ?? certificate
            key = reader.string(forKey: "credentials.x509.ca_key").flatMap { $0.isEmpty ? nil : $0 } ?? key
        }
        let root = URL(fileURLWithPath: base).standardizedFileURL.path
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : root + "/" + path }
        return (resolve(certificate), resolve(key))
    }
}
