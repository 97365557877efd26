/// Parses `3600`, `3600s`, `90m`, `12h`, `30d` into seconds.
enum DurationText {
    static func seconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var digits = Substring(text)
        var unit: Int64 = 1
        if let last = text.last, let multiplier = units[last] {
            digits = text.dropLast()
            unit = multiplier
        }
        guard let value = Int64(digits), value > 0, value <= 36_500 * 86_400 / unit else { return nil }
        return value * unit
    }
}
