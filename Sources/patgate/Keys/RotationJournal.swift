import Foundation

/// When `patgate keys` staged and retired each key, kept next to the configuration file as
/// `keys-rotation.json`: the waits between the steps count from these times. A key the
/// journal does not know (edited by hand) needs `--force` to skip a wait.
struct RotationJournal: Codable {
    /// kid → Unix time of `stage`.
    var staged: [String: Int64] = [:]
    /// kid → Unix time of the `promote` that retired it.
    var retired: [String: Int64] = [:]

    static func path(besides configFile: String) -> String {
        URL(fileURLWithPath: configFile).deletingLastPathComponent().appendingPathComponent("keys-rotation.json").path
    }

    static func load(besides configFile: String) throws -> RotationJournal {
        let path = path(besides: configFile)
        guard let data = FileManager.default.contents(atPath: path) else { return RotationJournal() }
        do {
            return try JSONDecoder().decode(RotationJournal.self, from: data)
        } catch {
            throw ValidationErrorText("\(path) is not a key rotation journal: \(error)")
        }
    }

    func save(besides configFile: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(besides: configFile)), options: .atomic)
    }
}

/// A failure `patgate keys` explains in one sentence (exit status 1).
struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
