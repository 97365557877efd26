import Foundation

/// The web console's files (HTML, CSS, JavaScript, icon), read once at start-up from the
/// SwiftPM resource bundle `patgate_PatgateServer.resources/Console` next to the binary, so
/// no request ever touches the disk. Missing files are reported, never a crash: the
/// generated `Bundle.module` would `fatalError`, so the bundle is located here instead.
struct ConsoleAssets: Sendable {
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
        var isHTML: Bool { contentType.hasPrefix("text/html") }
    }

    /// Keyed by the path under `/console/`: `index.html`, `admin.html`, `assets/console.css`, …
    let files: [String: File]
    /// Where the files came from, or nil when no console directory was found.
    let directory: URL?

    /// Loaded on first use (the first router built), then shared.
    static let bundled = ConsoleAssets(directory: locate())

    init(directory: URL?) {
        self.directory = directory
        self.files = directory.map(Self.read) ?? [:]
    }

    subscript(path: String) -> File? { files[path] }

    static let bundleName: String = {
        #if os(Linux) || os(Windows)
        "patgate_PatgateServer.resources"
        #else
        "patgate_PatgateServer.bundle"
        #endif
    }()

    /// `PATGATE_CONSOLE_DIR` (a checkout's `Sources/PatgateServer/Console`, for editing the
    /// console without a rebuild), else the resource bundle beside the executable.
    static func locate() -> URL? {
        let files = FileManager.default
        if let override = ProcessInfo.processInfo.environment["PATGATE_CONSOLE_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        var bases = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            bases.append(executable.deletingLastPathComponent())
        }
        for base in bases {
            let bundle = base.appendingPathComponent(bundleName, isDirectory: true)
            for candidate in [bundle.appendingPathComponent("Console"),
                              bundle.appendingPathComponent("Contents/Resources/Console")] {
                if files.fileExists(atPath: candidate.appendingPathComponent("index.html").path) {
                    return candidate
                }
            }
        }
        return nil
    }

    /// Every regular file under `directory` with a known content type (at most two levels).
    static func read(_ directory: URL) -> [String: File] {
        var result: [String: File] = [:]
        let manager = FileManager.default
        for folder in ["", "assets/"] {
            let url = directory.appendingPathComponent(folder, isDirectory: true)
            guard let names = try? manager.contentsOfDirectory(atPath: url.path) else { continue }
            for name in names where !name.hasPrefix(".") {
                guard let type = contentType(of: name),
                      let data = manager.contents(atPath: url.appendingPathComponent(name).path) else { continue }
                result[folder + name] = File(bytes: Array(data), contentType: type)
            }
        }
        return result
    }

    static func contentType(of name: String) -> String? {
        switch name.split(separator: ".").last.map(String.init) {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "txt": "text/plain; charset=utf-8"
        default: nil
        }
    }
}
