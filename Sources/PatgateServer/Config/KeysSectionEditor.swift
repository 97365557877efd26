/// Rewrites the `keys:` section of a configuration file for `patgate keys stage|promote|retire`
/// (README, "Rotating the signing key"), keeping every other line, comments included.
/// `active`, `next`, `retired` and `algorithm` are written back in one canonical form
/// (flow lists); other keys of the section, such as `jwks_max_age_seconds`, stay as they were.
public struct KeysSectionEditor: Sendable {
    /// The entries as the file spells them (paths relative to the configuration's folder).
    public struct Entries: Sendable, Equatable {
        public var active: String
        public var next: [String]
        public var retired: [String]
        /// `keys.algorithm`, when the file sets it: it must name the active key's algorithm.
        public var algorithm: String?

        public init(active: String, next: [String] = [], retired: [String] = [], algorithm: String? = nil) {
            self.active = active
            self.next = next
            self.retired = retired
            self.algorithm = algorithm
        }
    }

    private static let managed: Set<String> = ["active", "next", "retired", "algorithm"]
    private var lines: [Substring]

    public init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The file with the section's entries replaced by `entries`.
    public func replacing(with entries: Entries) throws(ConfigError) -> String {
        guard let header = lines.firstIndex(where: { Self.indent($0) == 0 && Self.key($0) == "keys" }) else {
            throw ConfigError(["the configuration file has no top-level `keys:` section to edit"])
        }
        var end = header + 1
        while end < lines.count, lines[end].allSatisfy(\.isWhitespace) || Self.indent(lines[end]) > 0 { end += 1 }
        let body = lines[(header + 1)..<end]
        let childIndent = body.first { !Self.isBlankOrComment($0) }.map(Self.indent) ?? 2

        var kept: [Substring] = []
        var insertAt: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let line = body[index]
            index += 1
            guard Self.indent(line) == childIndent, let key = Self.key(line), Self.managed.contains(key) else {
                kept.append(line)
                continue
            }
            if insertAt == nil { insertAt = kept.count }
            // A block list under the key: deeper lines, or `- item` at the same indent.
            while index < body.endIndex, !Self.isBlankOrComment(body[index]),
                  Self.indent(body[index]) > childIndent || Self.isListItem(body[index]) {
                index += 1
            }
        }
        let pad = String(repeating: " ", count: childIndent)
        var written = ["\(pad)active: \(Self.scalar(entries.active))"]
        if let algorithm = entries.algorithm { written.append("\(pad)algorithm: \(algorithm)") }
        if !entries.next.isEmpty { written.append("\(pad)next: [\(entries.next.map(Self.scalar).joined(separator: ", "))]") }
        if !entries.retired.isEmpty {
            written.append("\(pad)retired: [\(entries.retired.map(Self.scalar).joined(separator: ", "))]")
        }
        kept.insert(contentsOf: written.map { Substring($0) }, at: insertAt ?? 0)
        let result = lines[..<(header + 1)] + kept + lines[end...]
        return result.joined(separator: "\n")
    }

    private static func indent(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }

    private static func isBlankOrComment(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " }
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }

    private static func isListItem(_ line: Substring) -> Bool { line.drop { $0 == " " }.hasPrefix("-") }

    /// The mapping key a line starts, if it is one (`name:` followed by a space, a comment or the end).
    private static func key(_ line: Substring) -> String? {
        let trimmed = line.drop { $0 == " " }
        guard let colon = trimmed.firstIndex(of: ":") else { return nil }
        let name = trimmed[..<colon]
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        let rest = trimmed[trimmed.index(after: colon)...]
        return rest.isEmpty || rest.first == " " ? String(name) : nil
    }

    /// A plain YAML scalar when the path is simple, else a double-quoted one.
    static func scalar(_ path: String) -> String {
        let plain = !path.isEmpty && path.allSatisfy { $0.isLetter || $0.isNumber || "._/-~".contains($0) }
        guard !plain else { return path }
        var quoted = "\""
        for character in path {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
