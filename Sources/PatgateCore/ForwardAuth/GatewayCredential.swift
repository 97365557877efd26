/// The credential of the original request a gateway forwards (README "Forward auth"):
/// `Authorization: Bearer <token>`, `Authorization: token <PAT>` (GitHub style), a PAT as the
/// password of `Authorization: Basic` (git, docker, pip, npm; the user name is ignored), or
/// the value of a configured header such as `X-API-Key`. It holds a secret: never log it.
public struct GatewayCredential: Sendable, Equatable {
    public enum Scheme: Sendable, Equatable {
        /// A PAT, or a JWT this gateway minted.
        case bearer
        case token
        case basic
        case header
    }

    public let scheme: Scheme
    public let value: String

    /// What the headers hold: a credential, nothing, or something that is not one.
    public enum Found: Sendable, Equatable {
        case credential(GatewayCredential)
        case none
        /// An `Authorization` header of an unknown scheme, or a malformed value; `basic` when
        /// the client tried Basic (the answer then challenges Basic too).
        case malformed(basic: Bool)
    }

    /// Reads `authorization` first, then the configured header's value `header`.
    public static func find(authorization: String?, header: String?) -> Found {
        if let authorization, !authorization.isEmpty {
            return parse(authorization)
        }
        if let header {
            let value = trimmed(header[...])
            return value.isEmpty ? .malformed(basic: false) : .credential(.init(scheme: .header, value: value))
        }
        return .none
    }

    /// Read as bytes (it runs on every forward-auth answer); schemes compare ASCII-case-insensitively.
    static func parse(_ authorization: String) -> Found {
        let bytes = authorization.utf8
        guard let space = bytes.firstIndex(of: UInt8(ascii: " ")) else { return .malformed(basic: false) }
        let scheme = bytes[..<space]
        let rest = trimmed(Substring(bytes[bytes.index(after: space)...]))
        let tokenScheme: Scheme? = Self.scheme(scheme, is: "bearer") ? .bearer : Self.scheme(scheme, is: "token") ? .token : nil
        if let tokenScheme {
            guard !rest.isEmpty, !rest.utf8.contains(UInt8(ascii: " ")) else { return .malformed(basic: false) }
            return .credential(.init(scheme: tokenScheme, value: rest))
        }
        if Self.scheme(scheme, is: "basic") {
            guard let parts = try? BasicAuthorization.decode(authorization), !parts.password.isEmpty,
                  let password = String(validating: parts.password, as: UTF8.self)
            else { return .malformed(basic: true) }
            return .credential(.init(scheme: .basic, value: password))
        }
        return .malformed(basic: false)
    }

    /// Whether `name` is `lowercase` in any ASCII case.
    private static func scheme(_ name: Substring.UTF8View, is lowercase: String) -> Bool {
        name.count == lowercase.utf8.count
            && zip(name, lowercase.utf8).allSatisfy { pair in
                let (byte, expected) = pair
                return byte == expected || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == expected)
            }
    }

    /// `value` without leading and trailing spaces and tabs.
    private static func trimmed(_ value: Substring) -> String {
        let bytes = value.utf8
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(Substring(bytes[first...last]))
    }

    /// Has the three-part shape of a JWS (`a.b.c`): worth checking as one of ours before asking the upstream.
    public var looksLikeJWT: Bool {
        guard scheme == .bearer else { return false }
        var dots = 0
        for byte in value.utf8 where byte == UInt8(ascii: ".") {
            dots += 1
            if dots > 2 { return false }
        }
        return dots == 2
    }
}
