/// The request a gateway asks about: its method, host and path, read from the headers of the
/// gateway's convention (README "Forward auth"). The query is dropped; a path with a dot
/// segment (`/a/../b`, also percent-encoded) or a control character is refused, so a route's
/// prefix can never be walked out of.
public struct OriginalRequest: Sendable, Equatable {
    /// Uppercase.
    public var method: String
    /// Lowercase, without a port; `nil` when the gateway sent none.
    public var host: String?
    /// Starts with `/`, without the query.
    public var path: String

    /// `nil` when `path` (which may carry a query) is not an acceptable origin-form path.
    public init?(method: String, host: String?, path: String) {
        guard let clean = Self.checkedPath(path) else { return nil }
        self.method = Self.uppercased(method)
        self.host = host.flatMap(Self.normalizedHost)
        self.path = clean
    }

    /// From nginx's `X-Original-URL` (`$scheme://$http_host$request_uri`), or an origin-form path.
    /// Read as bytes: it runs on every forward-auth answer.
    public init?(method: String, url: String) {
        let bytes = url.utf8
        if bytes.first == UInt8(ascii: "/") {
            self.init(method: method, host: nil, path: url)
            return
        }
        // `scheme://` with a scheme of ASCII letters only (http, https).
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon != bytes.startIndex,
              bytes[..<colon].allSatisfy(Self.isASCIILetter), bytes[colon...].starts(with: "://".utf8)
        else { return nil }
        let rest = bytes[bytes.index(colon, offsetBy: 3)...]
        let pathStart = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let authority = rest[..<pathStart]
        guard !authority.contains(UInt8(ascii: "@")) else { return nil }
        let tail = rest[pathStart...]
        let path = tail.first == UInt8(ascii: "/") ? String(Substring(tail)) : "/" + String(Substring(tail))
        self.init(method: method, host: String(Substring(authority)), path: path)
    }

    /// `host[:port]` or `[v6]:port` → the lowercase host without the port.
    static func normalizedHost(_ value: String) -> String? {
        let bytes = value.utf8
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            return String(Substring(bytes[...close])).lowercased()
        }
        let name = bytes[..<(bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.endIndex)]
        guard !name.isEmpty else { return nil }
        // Host names are ASCII; anything else takes the Unicode-aware path.
        guard name.allSatisfy({ $0 < 0x80 }) else { return String(Substring(name)).lowercased() }
        guard name.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return String(Substring(name)) }
        return String(decoding: name.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The path without its query, or `nil` when it is not origin-form, holds a control byte or
    /// space, or has a dot segment — also spelled `%2e`, or separated by `%2f`, `%5c` or `\`.
    static func checkedPath(_ value: String) -> String? {
        let bytes = value.utf8
        let path = bytes[..<(bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex)]
        guard path.first == UInt8(ascii: "/") else { return nil }
        var dots = 0          // dots in the current segment, or -1 once it holds anything else
        var index = path.startIndex
        while index < path.endIndex {
            let byte = path[index]
            guard byte >= 0x21, byte != 0x7F else { return nil }
            var separator = byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\")
            var dot = byte == UInt8(ascii: ".")
            var width = 1
            if byte == UInt8(ascii: "%"), let escaped = Self.escape(path, at: index) {
                separator = escaped == UInt8(ascii: "/")
                dot = escaped == UInt8(ascii: ".")
                width = 3
            }
            if separator {
                if dots == 1 || dots == 2 { return nil }
                dots = 0
            } else if dot, dots >= 0 {
                dots += 1
            } else {
                dots = -1
            }
            index = path.index(index, offsetBy: width)
        }
        if dots == 1 || dots == 2 { return nil }
        return String(Substring(path))
    }

    /// What `%2e`, `%2f` or `%5c` (any case) at `index` stands for: `.` or `/`; `nil` for other escapes.
    private static func escape(_ path: Substring.UTF8View, at index: Substring.UTF8View.Index) -> UInt8? {
        guard path.distance(from: index, to: path.endIndex) >= 3 else { return nil }
        let high = path[path.index(after: index)]
        let low = path[path.index(index, offsetBy: 2)] | 0x20
        switch (high, low) {
        case (UInt8(ascii: "2"), UInt8(ascii: "e")): return UInt8(ascii: ".")
        case (UInt8(ascii: "2"), UInt8(ascii: "f")), (UInt8(ascii: "5"), UInt8(ascii: "c")): return UInt8(ascii: "/")
        default: return nil
        }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    /// The method in upper case; the usual all-uppercase one is kept as it is.
    private static func uppercased(_ method: String) -> String {
        method.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) ? method.uppercased() : method
    }
}
