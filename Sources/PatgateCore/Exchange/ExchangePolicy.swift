/// The gateway's rules for what a token exchange may produce: scope ⊆ PAT ∩ client,
/// audience on the client's allow-list, lifetime never longer than the PAT (invariant 2 in docs/ARCHITECTURE.md).
public struct ExchangePolicy: Sendable {
    /// The upper bound for every minted token, in seconds.
    public var maxTokenLifetime: Int64
    /// `aud` when neither the request nor the client names one.
    public var defaultAudiences: [String]

    public init(maxTokenLifetime: Int64 = 600, defaultAudiences: [String]) {
        self.maxTokenLifetime = maxTokenLifetime
        self.defaultAudiences = defaultAudiences
    }

    /// What the policy grants for one request.
    public struct Decision: Sendable, Equatable {
        public var scopes: [String]
        public var audiences: [String]
        public var lifetime: Int64
    }

    public func decide(
        _ request: TokenExchangeRequest, client: OAuthClient, subject: SubjectIdentity, now: Int64
    ) throws(OAuthError) -> Decision {
        Decision(
            scopes: try scopes(request, client: client, subject: subject),
            audiences: try audiences(request, client: client),
            lifetime: try lifetime(client: client, subject: subject, now: now)
        )
    }

    func scopes(_ request: TokenExchangeRequest, client: OAuthClient, subject: SubjectIdentity) throws(OAuthError) -> [String] {
        let granted = Set(subject.scopes)
        let permitted = { (scope: String) in
            granted.contains(scope) && (client.allowedScopes?.contains(scope) ?? true)
        }
        guard let requested = request.scopes else {
            return subject.scopes.filter(permitted)
        }
        guard requested.allSatisfy(permitted) else {
            throw OAuthError(.invalidScope, "the requested scope exceeds what the subject token and client allow")
        }
        return requested
    }

    func audiences(_ request: TokenExchangeRequest, client: OAuthClient) throws(OAuthError) -> [String] {
        for resource in request.resources where !Self.isAbsoluteURIWithoutFragment(resource) {
            throw OAuthError(.invalidTarget, "resource must be an absolute URI without a fragment")
        }
        var audiences: [String] = []
        for target in request.audiences + request.resources where !audiences.contains(target) {
            guard client.allowedAudiences.contains(target) else {
                throw OAuthError(.invalidTarget, "the requested audience or resource is not allowed for this client")
            }
            audiences.append(target)
        }
        return audiences.isEmpty ? (client.defaultAudiences ?? defaultAudiences) : audiences
    }

    func lifetime(client: OAuthClient, subject: SubjectIdentity, now: Int64) throws(OAuthError) -> Int64 {
        var lifetime = min(maxTokenLifetime, client.maxTokenLifetime ?? maxTokenLifetime)
        if let expiresAt = subject.expiresAt {
            guard expiresAt > now else { throw .invalidRequest("the subject token is invalid, expired or revoked") }
            lifetime = min(lifetime, expiresAt - now)
        }
        return lifetime
    }

    /// RFC 3986 absolute-URI: a scheme, a colon, no fragment, no whitespace.
    static func isAbsoluteURIWithoutFragment(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, colon + 1 < bytes.count else { return false }
        let scheme = bytes[..<colon]
        guard let first = scheme.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first | 0x20) else { return false }
        let schemeOK = scheme.allSatisfy { byte in
            let lower = byte | 0x20
            return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lower) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        return schemeOK && !bytes.contains(UInt8(ascii: "#")) && !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F })
    }
}
