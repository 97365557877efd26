/// Keeps secrets out of error messages.
enum Redaction {
    /// `url` without userinfo, query and fragment: `https://user:pw@h/p?q#f` → `https://h/p`.
    static func url(_ url: String) -> String {
        var rest = Substring(url)
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            rest = rest[..<cut]
        }
        guard let schemeEnd = rest.firstRange(of: "://") else {
            // Not an absolute URL: nothing in it can be told apart from a secret.
            return "[not an absolute URL]"
        }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = rest[authorityStart...].firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[authorityStart..<authorityEnd]
        let host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        return printable(String(rest[..<authorityStart]) + host + rest[authorityEnd...])
    }

    /// Control characters become `?`, so a message stays one log line.
    private static func printable(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        return String(decoding: text.utf8.map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }

    /// "METHOD redacted-url", for the end of an error message.
    static func target(of request: HTTPRequest) -> String {
        let method = request.method.utf8.allSatisfy(HTTPRequest.isTokenByte) ? request.method : "?"
        return "\(method) \(url(request.url))"
    }

    /// `text` with every credential-bearing piece of `request` replaced by `[redacted]`:
    /// header values, the body, the URL's userinfo and query. libcurl's error texts do
    /// not quote these today; this keeps it so should one ever do.
    static func scrub(_ text: String, of request: HTTPRequest) -> String {
        var secrets: [String] = request.headers.map(\.value)
        secrets.append(String(decoding: request.body, as: UTF8.self))
        secrets.append(contentsOf: urlSecrets(request.url))
        var result = text
        for secret in secrets where secret.utf8.count >= 4 && secret.utf8.count <= result.utf8.count {
            result = result.replacing(secret, with: "[redacted]")
        }
        return result
    }

    private static func urlSecrets(_ url: String) -> [String] {
        var found: [String] = []
        if let query = url.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            found.append(String(url[url.index(after: query)...]))
        }
        if let schemeEnd = url.firstRange(of: "://") {
            let authority = url[schemeEnd.upperBound...].prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
            if let at = authority.lastIndex(of: "@") {
                found.append(String(authority[..<at]))
            }
        }
        return found
    }
}
