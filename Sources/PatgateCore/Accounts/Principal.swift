/// Who makes a management request, and how they proved it.
public struct Principal: Sendable, Equatable {
    public enum Method: String, Sendable { case session, pat, jwt, cli }

    public var username: String
    public var role: User.Role
    public var method: Method
    /// The client address, for the audit log.
    public var address: String?
    /// The scopes the presented credential holds (a PAT's, or a JWT's `scope`); `nil` for a
    /// console session or the CLI, which act as the user and may grant any catalogue scope.
    /// A caller never grants more scope than it holds (invariant 7 in docs/ARCHITECTURE.md).
    public var heldScopes: [String]?
    /// When the presented credential's PAT expires (a PAT's own expiry, a JWT's `pat_id`'s);
    /// `nil` for a PAT that never expires, a console session or the CLI. A token this caller
    /// creates or rotates never outlives it (invariant 7 in docs/ARCHITECTURE.md).
    public var credentialExpiresAt: Int64?

    public init(username: String, role: User.Role, method: Method, address: String?, heldScopes: [String]? = nil,
                credentialExpiresAt: Int64? = nil) {
        self.username = username
        self.role = role
        self.method = method
        self.address = address
        self.heldScopes = heldScopes
        self.credentialExpiresAt = credentialExpiresAt
    }

    public var isAdmin: Bool { role == .admin }

    /// Those of `scopes` this caller's credential does not hold (none for a session or the CLI).
    public func lacking(_ scopes: [String]) -> [String] {
        guard let heldScopes else { return [] }
        return scopes.filter { !heldScopes.contains($0) }
    }
}
