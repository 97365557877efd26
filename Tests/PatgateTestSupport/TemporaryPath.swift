import Foundation

/// Fresh paths under the system's temporary directory, `<tmp>/<prefix>-<UUID>`: a new one on
/// every call, so tests that run in parallel never share a file.
public enum TemporaryPath {
    /// A fresh path; nothing is created there.
    public static func url(_ prefix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    }

    /// ``url(_:)`` as a file-system path.
    public static func path(_ prefix: String) -> String {
        url(prefix).path
    }

    /// A fresh directory, created; the caller removes it.
    public static func directory(_ prefix: String) throws -> URL {
        let directory = url(prefix)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
