import JSON

/// One line of the audit log. It names who did what to which object from where; it never
/// holds a token value or a password (invariant 1 in docs/ARCHITECTURE.md).
public struct AuditEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Forward auth let a gateway's request through (`/authz/...`).
        case authzAllowed = "authz.allowed"
        /// Forward auth refused a gateway's request (401, 403).
        case authzDenied = "authz.denied"
        /// Forward auth could not decide (503, fail closed).
        case authzFailed = "authz.failed"
        case credentialIssued = "credential.issued"
        case credentialFailed = "credential.failed"
        case credentialWithdrawn = "credential.withdrawn"
        case loginSucceeded = "login.succeeded"
        case loginFailed = "login.failed"
        case loginThrottled = "login.throttled"
        case logout
        case patCreated = "pat.created"
        /// A secret scanner reported the PAT's value found in public; it was revoked.
        case patLeaked = "pat.leaked"
        case patRotated = "pat.rotated"
        case patRevoked = "pat.revoked"
        case patUsed = "pat.used"
        case policyRejected = "policy.rejected"
        case userAdded = "user.added"
        case userChanged = "user.changed"
        case userPasswordChanged = "user.password_changed"
    }

    public var time: Int64
    public var kind: Kind
    /// Who acted: a username, `cli:<os user>`, `system`, or the username tried at login.
    public var actor: String
    /// The object: a token id or a username.
    public var target: String?
    /// The client address of the request, when there was one.
    public var address: String?
    /// A short, safe explanation (a reason, the changed fields).
    public var detail: String?

    public init(time: Int64, kind: Kind, actor: String, target: String? = nil, address: String? = nil, detail: String? = nil) {
        self.time = time
        self.kind = kind
        self.actor = actor
        self.target = target
        self.address = address
        self.detail = detail
    }

    /// One JSON object and a newline: `{"time":"…","event":"…","actor":"…","target":…,"address":…}`.
    public var jsonLine: [UInt8] {
        var json = JSONWriter(capacity: 192)
        json.beginObject()
        json.field("time", RFC3339.format(time))
        json.field("event", kind.rawValue)
        json.field("actor", actor)
        json.nullable("target", target)
        json.nullable("address", address)
        json.member("detail", detail)
        json.endObject()
        json.endLine()
        return json.bytes
    }
}

/// Where audit events go (a port). `record` never blocks the caller and never throws:
/// implementations queue the line and write it elsewhere.
public protocol AuditLog: Sendable {
    func record(_ event: AuditEvent)
}

/// Drops every event: for tools and tests that need no audit trail.
public struct NoAuditLog: AuditLog {
    public init() {}
    public func record(_ event: AuditEvent) {}
}
