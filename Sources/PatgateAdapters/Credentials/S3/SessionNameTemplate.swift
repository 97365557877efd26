import OpenSSL

/// `credentials.s3.session_name`: the `RoleSessionName`, with `{user}` replaced by the user.
///
/// STS accepts only `[\w+=,.@-]{2,64}`. Other characters of the user become `_`; when that
/// changed the name, or it had to be shortened, a tag of the user's SHA-256 is appended so two
/// users never share a session name (and so the STS's own audit trail tells them apart).
public struct SessionNameTemplate: Sendable, Equatable {
    public static let placeholder = "{user}"
    public static let standard = SessionNameTemplate("patgate-{user}")!
    /// Longest fixed text around `{user}`: leaves 16 characters for the user.
    public static let maxFixedLength = 48
    static let maxLength = 64

    let prefix: String
    /// The text after `{user}`; `nil` for a template without the placeholder.
    let suffix: String?

    /// `nil` when the fixed text holds a character STS refuses, `{user}` appears more than
    /// once, or the name cannot fit 2 to 64 characters.
    public init?(_ template: String) {
        let parts = template.split(separator: Self.placeholder, omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, parts.allSatisfy({ $0.unicodeScalars.allSatisfy(Self.isAllowed) }) else { return nil }
        prefix = parts[0]
        suffix = parts.count == 2 ? parts[1] : nil
        if let suffix {
            guard prefix.count + suffix.count <= Self.maxFixedLength else { return nil }
        } else {
            guard (2...Self.maxLength).contains(prefix.count) else { return nil }
        }
    }

    /// A valid `RoleSessionName` for `user`, whatever characters it holds.
    public func render(user: String) -> String {
        guard let suffix else { return prefix }
        let room = Self.maxLength - prefix.count - suffix.count
        let clean = String(String.UnicodeScalarView(user.unicodeScalars.map { Self.isAllowed($0) ? $0 : "_" }))
        let name = prefix + clean + suffix
        if clean == user && clean.count <= room && name.count >= 2 { return name }
        let tag = "-" + Self.hex(Digest.sha256(Array(user.utf8)).prefix(4))
        return prefix + String(clean.prefix(room - tag.count)) + tag + suffix
    }

    /// `[\w+=,.@-]`, ASCII only.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "+", "=", ",", ".", "@", "-": return true
        default: return false
        }
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
