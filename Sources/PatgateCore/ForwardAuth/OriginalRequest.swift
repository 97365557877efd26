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
        self.method = method.uppercased()
        self.host = host.flatMap(Self.normalizedHost)
        self.path = clean
    }

    /// From nginx's `X-Original-URL` (`$scheme://$http_host$request_uri`), or an origin-form path.
    public init?(method: String, url: String) {
        if url.hasPrefix("/") {
            self.init(method: method, host: nil, path: url)
            return
        }
        // `scheme://` with a scheme of letters only (http, https).
        guard let colon = url.firstIndex(of: ":"), url[..<colon].allSatisfy(\.isLetter), !url[..<colon].isEmpty,
              url[colon...].hasPrefix("://")
        else { return nil }
        let rest = url[url.index(colon, offsetBy: 3)...]
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<pathStart]
        guard !authority.contains("@") else { return nil }
        var path = String(rest[pathStart...])
        if !path.hasPrefix("/") { path = "/" + path }
        self.init(method: method, host: String(authority), path: path)
    }

    /// `host[:port]` or `[v6]:port` → the lowercase host without the port.
    static func normalizedHost(_ value: String) -> String? {
        let host = value.lowercased()
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            return String(host[...close])
        }
        let name = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return name.isEmpty ? nil : name
    }

    static func checkedPath(_ value: String) -> String? {
        let path = value.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard path.hasPrefix("/"), !path.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else { return nil }
        // Decode only what could hide a dot segment: %2e, %2f, %5c and a backslash.
        let decoded = path.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "\\") })
            ? path.replacingPercentEscapes(["2e": ".", "2f": "/", "5c": "/"]).replacingOccurrences("\\", "/") : path
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: false) where segment == "." || segment == ".." {
            return nil
        }
        return path
    }
}

extension String {
    /// Replaces the percent escapes named in `table` (lowercase hex) by their characters.
    fileprivate func replacingPercentEscapes(_ table: [String: Character]) -> String {
        guard contains("%") else { return self }
        var result = ""
        var index = startIndex
        while index < endIndex {
            if self[index] == "%", let end = self.index(index, offsetBy: 3, limitedBy: endIndex),
               let replacement = table[self[self.index(after: index)..<end].lowercased()] {
                result.append(replacement)
                index = end
            } else {
                result.append(self[index])
                index = self.index(after: index)
            }
        }
        return result
    }

    fileprivate func replacingOccurrences(_ target: Character, _ replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
