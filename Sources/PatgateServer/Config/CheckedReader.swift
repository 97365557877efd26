import Configuration
import Foundation

/// A `ConfigReader` that records each wrongly typed or invalid value as a problem naming
/// its key, so `check-config` can explain every error at once instead of the first one.
struct CheckedReader {
    let config: ConfigReader
    private(set) var problems: [String] = []

    init(_ config: ConfigReader) {
        self.config = config
    }

    mutating func problem(_ key: String, _ text: String) {
        problems.append("\(key): \(text)")
    }

    func string(_ key: String, secret: Bool = false) -> String? {
        config.string(forKey: ConfigKey(key), isSecret: secret).flatMap { $0.isEmpty ? nil : $0 }
    }

    func string(_ key: String, default value: String) -> String {
        string(key) ?? value
    }

    mutating func int(_ key: String, default value: Int, in range: ClosedRange<Int>) -> Int {
        guard let raw = string(key) else { return value }
        guard let number = Int(raw), range.contains(number) else {
            problem(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(raw)'")
            return value
        }
        return number
    }

    mutating func optionalInt(_ key: String, in range: ClosedRange<Int>) -> Int? {
        string(key) == nil ? nil : int(key, default: range.lowerBound, in: range)
    }

    mutating func bool(_ key: String, default value: Bool) -> Bool {
        guard let raw = string(key) else { return value }
        switch raw.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default:
            problem(key, "must be true or false, not '\(raw)'")
            return value
        }
    }

    /// A YAML list, or a comma-separated string (as environment variables give it).
    func list(_ key: String) -> [String]? {
        if let array = config.stringArray(forKey: ConfigKey(key)) {
            return array.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return string(key).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}
