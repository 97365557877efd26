/// A secret scanner that reports leaked PATs to `POST /leaks/<partner>` (README, "Leaked tokens").
///
/// Both sign the raw request body with ECDSA P-256 / SHA-256 and send the base64 DER signature
/// and the signing key's identifier in two headers; they differ in the body they expect back.
public enum SecretScanningPartner: String, Sendable, CaseIterable {
    /// GitHub's secret scanning partner program: `[{token, type, url, source}]`, answered with
    /// `[{token_hash, token_type, label}]`.
    case github
    /// GitLab's revocation receiver contract: `[{type, token, url}]`, answered with any 2xx.
    case gitlab

    /// The header naming the key that signed the body.
    public var keyIdentifierHeader: String {
        switch self {
        case .github: "Github-Public-Key-Identifier"
        case .gitlab: "Gitlab-Public-Key-Identifier"
        }
    }

    /// The header holding the base64 DER ECDSA signature of the raw body.
    public var signatureHeader: String {
        switch self {
        case .github: "Github-Public-Key-Signature"
        case .gitlab: "Gitlab-Public-Key-Signature"
        }
    }

    /// The `actor` of the audit lines a report causes.
    public var auditActor: String { "secret-scanning:\(rawValue)" }
}
