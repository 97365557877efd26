import Foundation
import Yams

/// The keys a configuration sets, from the YAML file and from `PATGATE_*` environment
/// variables, and the problems for those the parser never asked for (`ConfigKeyLog`).
struct UnknownKeys {
    /// Leaf keys of the YAML file, dot-separated, as swift-configuration flattens them.
    var fileKeys: [String] = []
    /// Names of `PATGATE_*` variables, without the prefix (`CACHE_TTL_SECONDS`).
    var variables: [String] = []
    /// Variables the file names as a secret's source (`secret_env: PATGATE_CI_SECRET`): not config keys.
    var referenced: Set<String> = []

    init(file: String, environment: [String: String]) {
        if let text = try? String(contentsOfFile: file, encoding: .utf8),
           let root = try? Yams.compose(yaml: text), let mapping = root.mapping {
            collect(mapping, prefix: [])
        }
        variables = environment.keys.filter { $0.hasPrefix("PATGATE_") && !referenced.contains($0) }
            .map { String($0.dropFirst(8)) }.sorted()
    }

    private mutating func collect(_ mapping: Node.Mapping, prefix: [String]) {
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            if let inner = value.mapping {
                collect(inner, prefix: prefix + [name])
            } else {
                fileKeys.append((prefix + [name]).joined(separator: "."))
                if name.hasSuffix("_env"), let variable = value.string { referenced.insert(variable) }
            }
        }
    }

    /// One `(key, text)` per key set but not known. A file key that only heads known keys
    /// (`credentials:` left empty) is fine. A variable is checked when it looks like a config
    /// key, that is when its first word is a known top-level section (`PATGATE_CACHE_…`), so
    /// `PATGATE_DATA_DIR` is checked and unrelated variables such as `PATGATE_BIN` are not.
    func problems(known: Set<String>) -> [(key: String, text: String)] {
        var found: [(key: String, text: String)] = []
        for key in fileKeys where !known.contains(key) && !known.contains(where: { $0.hasPrefix(key + ".") }) {
            found.append((key, "unknown key" + Self.hint(key, among: known)))
        }
        let byVariable = Dictionary(known.map { (Self.variable($0), $0) }, uniquingKeysWith: { first, _ in first })
        let sections = Set(known.map { Self.variable(String($0.prefix { $0 != "." })) })
        for name in variables where byVariable[name] == nil
            && sections.contains(where: { name == $0 || name.hasPrefix($0 + "_") }) {
            let hint = Self.nearest(name, among: Array(byVariable.keys)).map { " (did you mean PATGATE_\($0)?)" } ?? ""
            found.append(("PATGATE_" + name, "unknown configuration variable" + hint))
        }
        return found
    }

    /// The environment form of a key: `cache.ttl_seconds` → `CACHE_TTL_SECONDS`.
    static func variable(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    static func hint(_ key: String, among known: Set<String>) -> String {
        nearest(key, among: Array(known)).map { " (did you mean \($0)?)" } ?? ""
    }

    /// The known key closest in edit distance, if it is close enough to be a typo.
    static func nearest(_ key: String, among candidates: [String]) -> String? {
        let limit = max(2, key.count / 3)
        return candidates.map { ($0, EditDistance.between(key, $0)) }
            .filter { $0.1 <= limit }
            .min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }
}
