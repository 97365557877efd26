/// The allow-listed copy of upstream introspection members into the minted JWT,
/// e.g. `username` → `preferred_username`.
public struct ClaimCopy: Sendable, Equatable {
    /// Claims the gateway sets itself; a copy may never overwrite them.
    public static let reserved: Set<String> = [
        "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "pat_id", "cnf", "act", "may_act",
    ]

    public struct Rule: Sendable, Equatable {
        public var from: String
        public var to: String
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    public let rules: [Rule]

    /// Fails when a rule targets a reserved claim; the message names the claim.
    public init(rules: [Rule]) throws(OAuthError) {
        for rule in rules where Self.reserved.contains(rule.to) || rule.to.isEmpty || rule.from.isEmpty {
            throw .invalidRequest("claim copy into '\(rule.to)' is not allowed")
        }
        self.rules = rules
    }

    public static let none = ClaimCopy(uncheckedRules: [])

    private init(uncheckedRules: [Rule]) {
        rules = uncheckedRules
    }

    /// The upstream claims the rules read (`username` is read from `SubjectIdentity.username`
    /// when the upstream sent one, so a cache need not keep it among the claims).
    public var sourceClaims: Set<String> { Set(rules.map(\.from)) }

    /// The copied claims for one subject, in rule order.
    public func claims(for subject: SubjectIdentity) -> [(name: String, value: JSONValue)] {
        rules.compactMap { rule in
            if rule.from == "username", let username = subject.username { return (rule.to, .string(username)) }
            return subject.claims[rule.from].map { (rule.to, $0) }
        }
    }
}
