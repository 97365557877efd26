/// The rule for names people give things and read back (a user's display name, a PAT's
/// name): trimmed of surrounding whitespace, 1 to `maxLength` characters, and no control
/// character (C0 including NUL, DEL, C1), which would otherwise be cut by a store or reach
/// a terminal or a log raw.
public enum DisplayText {
    /// `text` trimmed, or nil when it breaks the rule.
    public static func checked(_ text: String, maxLength: Int = 100) -> String? {
        let trimmed = text.trimmingWhitespace
        guard (1...maxLength).contains(trimmed.count), !hasControlCharacters(trimmed) else { return nil }
        return trimmed
    }

    /// Whether `text` holds a C0 control (NUL, ESC, LF, …), DEL or a C1 control.
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
