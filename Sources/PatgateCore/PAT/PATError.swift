/// Why a PAT operation was refused; the text is safe to show to the requester.
public struct PATError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidName = "invalid_name"
        case duplicateName = "duplicate_name"
        case invalidScope = "invalid_scope"
        case invalidExpiry = "invalid_expiry"
        case notFound = "not_found"
        /// The request asks for more than the administrator's expiration policy allows.
        case policyViolation = "policy_violation"
        /// The caller asks for a scope its own credential lacks (invariant 7 in docs/ARCHITECTURE.md).
        case insufficientScope = "insufficient_scope"
        /// The caller asks for an expiry past its own PAT's (invariant 7 in docs/ARCHITECTURE.md).
        case outlivesCredential = "outlives_credential"
        /// The owner is not an existing, enabled user.
        case invalidOwner = "invalid_owner"
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
