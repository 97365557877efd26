/// Every problem found in a configuration, each naming its key and what is expected.
/// Secret values are never quoted.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]

    public init(_ problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        "invalid configuration:\n" + problems.map { "  - " + $0 }.joined(separator: "\n")
    }
}
