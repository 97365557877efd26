/// One `authz.routes.<id>` entry (README "Forward auth"): which original requests it covers
/// and what the JWT handed to the gateway for them says (audience and exactly these scopes).
public struct AuthzRoute: Sendable, Equatable {
    public var id: String
    /// Lowercase, without a port; `nil` matches any host.
    public var host: String?
    /// Matches the path itself and everything below it (`/orders` covers `/orders/1`, not `/ordersx`).
    public var pathPrefix: String
    /// Uppercase; `nil` matches any method.
    public var methods: Set<String>?
    public var audience: String
    /// The PAT must hold them all; the JWT carries exactly these.
    public var scopes: [String]

    public init(id: String, host: String? = nil, pathPrefix: String, methods: Set<String>? = nil,
                audience: String, scopes: [String] = []) {
        self.id = id
        self.host = host?.lowercased()
        self.pathPrefix = pathPrefix
        self.methods = methods.map { Set($0.map { $0.uppercased() }) }
        self.audience = audience
        self.scopes = scopes
    }

    /// Whether this route covers `request` (its path already checked by `OriginalRequest`).
    public func matches(_ request: OriginalRequest) -> Bool {
        if let methods, !methods.contains(request.method) { return false }
        if let host, host != request.host { return false }
        let path = request.path
        guard path.hasPrefix(pathPrefix) else { return false }
        if path.utf8.count == pathPrefix.utf8.count || pathPrefix.hasSuffix("/") { return true }
        return path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: pathPrefix.utf8.count)] == UInt8(ascii: "/")
    }
}
