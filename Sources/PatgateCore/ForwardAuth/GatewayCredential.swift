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

    static func parse(_ authorization: String) -> Found {
        guard let space = authorization.firstIndex(of: " ") else { return .malformed(basic: false) }
        let scheme = authorization[..<space].lowercased()
        let rest = trimmed(authorization[authorization.index(after: space)...])
        switch scheme {
        case "bearer":
            return rest.isEmpty || rest.contains(" ") ? .malformed(basic: false) : .credential(.init(scheme: .bearer, value: rest))
        case "token":
            return rest.isEmpty || rest.contains(" ") ? .malformed(basic: false) : .credential(.init(scheme: .token, value: rest))
        case "basic":
            guard let parts = try? BasicAuthorization.decode(authorization), !parts.password.isEmpty,
                  let password = String(validating: parts.password, as: UTF8.self)
            else { return .malformed(basic: true) }
            return .credential(.init(scheme: .basic, value: password))
        default:
            return .malformed(basic: false)
        }
    }

    private static func trimmed(_ value: Substring) -> String {
        let isBlank = { (character: Character) in character == " " || character == "\t" }
        guard let first = value.firstIndex(where: { !isBlank($0) }), let last = value.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(value[first...last])
    }

    /// Has the three-part shape of a JWS (`a.b.c`): worth checking as one of ours before asking the upstream.
    public var looksLikeJWT: Bool {
        scheme == .bearer && value.utf8.lazy.filter { $0 == UInt8(ascii: ".") }.count == 2
    }
}
