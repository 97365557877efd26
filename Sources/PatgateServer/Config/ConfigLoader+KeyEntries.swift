import Configuration
import Foundation

extension ConfigLoader {
    /// `keys.active`, `keys.next`, `keys.retired` and `keys.algorithm` as the file spells them,
    /// without the environment: what `patgate keys` edits. `overriddenBy` lists the `PATGATE_KEYS_*`
    /// variables that would override the file, so the command can refuse an edit without effect.
    public static func keyEntries(
        file: String, environment: [String: String]
    ) async throws -> (entries: KeysSectionEditor.Entries, overriddenBy: [String]) {
        let reader = try await reader(file: file, environment: [:])
        // As `CheckedReader.list`: a YAML list, or one comma-separated string.
        func list(_ key: String) -> [String] {
            let items = reader.stringArray(forKey: ConfigKey(key))
                ?? reader.string(forKey: ConfigKey(key)).map { $0.split(separator: ",").map(String.init) } ?? []
            return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let active = reader.string(forKey: "keys.active") else {
            throw ConfigError(["\(file): keys.active is not set in the file"])
        }
        let entries = KeysSectionEditor.Entries(
            active: active,
            next: list("keys.next"),
            retired: list("keys.retired"),
            algorithm: reader.string(forKey: "keys.algorithm"))
        let overriddenBy = ["ACTIVE", "NEXT", "RETIRED", "ALGORITHM"].map { "PATGATE_KEYS_\($0)" }
            .filter { environment[$0] != nil }
        return (entries, overriddenBy)
    }
}
