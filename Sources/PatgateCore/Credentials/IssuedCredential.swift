import JSON

/// One flattened member of the token response (`aws_access_key_id`, `db_port`, …).
public struct CredentialField: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = .string(value)
    }

    public init(_ name: String, _ value: Int64) {
        self.name = name
        self.value = .integer(value)
    }

    /// Writes `"name": value` into an open JSON object.
    public func write(to json: inout JSONWriter) {
        switch value {
        case .string(let text): json.field(name, text)
        case .integer(let number): json.field(name, number)
        }
    }
}

/// What a provider issued: the fields for the response and what the audit log may record.
public struct IssuedCredential: Sendable, Equatable {
    /// The response members, secrets included; never logged.
    public var fields: [CredentialField]
    /// A non-secret identifier for the audit log: an access key id, a role name, a certificate serial.
    public var id: String
    public var expiresAt: Int64

    public init(fields: [CredentialField], id: String, expiresAt: Int64) {
        self.fields = fields
        self.id = id
        self.expiresAt = expiresAt
    }
}
