import PatgateCore

extension ConfigParser {
    /// `authz.*`: forward auth for API gateways (README "Forward auth"); `nil` when no key of it
    /// is set. Every key is read whether or not the block is complete, so each stays a known key.
    /// The routes are checked against `authz.client` as `/token` would check them, so a route
    /// that could never be granted is a configuration error, not a 403 at run time.
    mutating func parseAuthz(clients: [OAuthClient]) -> AuthzSettings? {
        let client = reader.string("authz.client")
        let ids = reader.list("authz.routes.ids")
        var settings = AuthzSettings(
            clientID: client ?? "",
            routes: (ids ?? []).compactMap { parseAuthzRoute($0) },
            credentialHeader: reader.string("authz.credential_header"),
            realm: reader.string("authz.realm", default: "patgate"),
            sendsSubject: reader.bool("authz.subject_header", default: true),
            cacheMargin: Int64(reader.int("authz.cache.margin_seconds", default: 60, in: 0...3_600)),
            cacheMaxEntries: reader.int("authz.cache.max_entries", default: 100_000, in: 0...10_000_000))
        guard let client else {
            if ids != nil { reader.problem("authz.client", "forward auth needs the client its exchanges are recorded under") }
            return nil
        }
        guard let oauthClient = clients.first(where: { $0.id == client }) else {
            reader.problem("authz.client", "'\(client)' is not one of clients.ids")
            return nil
        }
        if !oauthClient.grants.contains(.tokenExchange) {
            reader.problem("authz.client", "'\(client)' needs the token_exchange grant")
        }
        if ids?.isEmpty != false { reader.problem("authz.routes.ids", "list at least one route") }
        if let header = settings.credentialHeader, !Self.isHeaderName(header) || header.lowercased() == "authorization" {
            reader.problem("authz.credential_header", "'\(header)' is not a header name other than Authorization")
            settings.credentialHeader = nil
        }
        if settings.realm.contains("\"") || settings.realm.contains("\\") || !settings.realm.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            reader.problem("authz.realm", "must be printable ASCII without quotes or backslashes")
        }
        for route in settings.routes {
            let key = "authz.routes.\(route.id)"
            if !oauthClient.allowedAudiences.contains(route.audience) {
                reader.problem("\(key).audience", "'\(route.audience)' is not in clients.\(client).audiences")
            }
            for scope in route.scopes where oauthClient.allowedScopes?.contains(scope) == false {
                reader.problem("\(key).scopes", "'\(scope)' is not in clients.\(client).scopes")
            }
        }
        return settings
    }

    private mutating func parseAuthzRoute(_ id: String) -> AuthzRoute? {
        let key = "authz.routes.\(id)"
        let host = reader.string("\(key).host"), prefix = reader.string("\(key).path_prefix")
        let methods = reader.list("\(key).methods"), audience = reader.string("\(key).audience")
        let scopes = reader.list("\(key).scopes") ?? []
        guard id.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
            reader.problem("authz.routes.ids", "'\(id)' may only use letters, digits, '-' and '_'")
            return nil
        }
        var valid = true
        if let host, host.isEmpty || host.contains("/") || host.contains(":") && !host.hasPrefix("[") {
            reader.problem("\(key).host", "'\(host)' must be a host name without scheme, port or path")
            valid = false
        }
        if prefix.map({ OriginalRequest(method: "GET", host: nil, path: $0)?.path != $0 }) ?? true {
            reader.problem("\(key).path_prefix", "needs a path starting with '/', without query or dot segments")
            valid = false
        }
        for method in methods ?? [] where !Self.isHeaderName(method) {
            reader.problem("\(key).methods", "'\(method)' is not an HTTP method")
            valid = false
        }
        if audience == nil { reader.problem("\(key).audience", "every route names the audience of its JWTs") }
        for scope in scopes where !ScopeList.isValidToken(scope) {
            reader.problem("\(key).scopes", "'\(scope)' is not a valid scope token")
            valid = false
        }
        guard valid, let prefix, let audience else { return nil }
        return AuthzRoute(id: id, host: host, pathPrefix: prefix, methods: methods.map(Set.init), audience: audience, scopes: scopes)
    }

    /// An RFC 9110 token: what a header name and a method are made of.
    static func isHeaderName(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
