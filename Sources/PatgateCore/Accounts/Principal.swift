/// Who makes a management request, and how they proved it.
public struct Principal: Sendable, Equatable {
    public enum Method: String, Sendable { case session, pat, jwt, cli }

    public var username: String
    public var role: User.Role
    public var method: Method
    /// The client address, for the audit log.
    public var address: String?

    public init(username: String, role: User.Role, method: Method, address: String?) {
        self.username = username
        self.role = role
        self.method = method
        self.address = address
    }

    public var isAdmin: Bool { role == .admin }
}
