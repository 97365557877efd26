/// One match a secret scanner reports: the string it found, the type it registered for our
/// format, and where it found it. `token` is a secret until proven otherwise: it is hashed,
/// never logged.
public struct LeakReport: Sendable, Equatable {
    public var token: String
    public var type: String
    /// Where the scanner found it (a commit, an issue, a raw file).
    public var url: String?
    /// GitHub's `source` (`content`, `commit`, `issue_comment`, …); GitLab sends none.
    public var source: String?

    public init(token: String, type: String, url: String? = nil, source: String? = nil) {
        self.token = token
        self.type = type
        self.url = url
        self.source = source
    }

    /// Reports in one body, at most; GitHub batches matches, and 1,000 is what its own
    /// credential-revocation API takes in one request.
    public static let maximumCount = 1_000

    /// Parses a JSON array of `{token, type, url?, source?}` objects (members the partners may
    /// add later are ignored). `type` may be absent; `token` must be a non-empty string.
    public static func parse(_ body: [UInt8]) throws(LeakError) -> [LeakReport] {
        guard let value = JSONValueParser.parse(body), case .array(let elements) = value else {
            throw LeakError(.invalidRequest, "the body must be a JSON array of {token, type, url} objects")
        }
        guard elements.count <= maximumCount else {
            throw LeakError(.invalidRequest, "at most \(maximumCount) reports per request, not \(elements.count)")
        }
        var reports: [LeakReport] = []
        reports.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .object(let members) = element else {
                throw LeakError(.invalidRequest, "report \(index) is not a JSON object")
            }
            guard let token = members["token"]?.stringValue, !token.isEmpty else {
                throw LeakError(.invalidRequest, "report \(index) has no token string")
            }
            var optional: [String: String] = [:]
            for name in ["type", "url", "source"] {
                switch members[name] {
                case nil, .null?: break
                case .string(let text)?: optional[name] = text
                default: throw LeakError(.invalidRequest, "report \(index): \(name) must be a string")
                }
            }
            reports.append(LeakReport(token: token, type: optional["type"] ?? "", url: optional["url"],
                                      source: optional["source"]))
        }
        return reports
    }
}
