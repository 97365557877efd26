/// A source of short-lived credentials returned next to the JWT when the exchange grants the
/// `credentials` scope (a port: the S3/STS, PostgreSQL and X.509 adapters implement it).
///
/// The broker calls `prepare` on every provider before any of them issues anything, so that
/// a bad parameter (a malformed CSR) fails the exchange before a side effect exists.
public protocol CredentialProvider: Sendable {
    /// A short, stable name: `s3`, `postgres`, `x509`. Used in the audit log.
    var name: String { get }

    /// The non-secret settings clients need (`aws_region`, `db_host`, …), published at
    /// `/.well-known/configuration` and repeated in each token response.
    var publicSettings: [CredentialField] { get }

    /// Checks the request's parameters without side effects. `nil` means this provider has
    /// nothing to issue for this request (an optional parameter is absent).
    func prepare(_ request: CredentialRequest) throws(CredentialError) -> (any PreparedCredential)?
}

/// A request a provider accepted in `prepare`, ready to issue.
public protocol PreparedCredential: Sendable {
    /// Creates the credential. Never returns something that outlives `request.notAfter`.
    func issue() async throws(CredentialError) -> IssuedCredential

    /// Undoes `issue` when a later provider failed (drops a role). Best effort, never throws;
    /// credentials that cannot be withdrawn (STS keys, certificates) do nothing here.
    func withdraw(_ credential: IssuedCredential) async
}

extension PreparedCredential {
    public func withdraw(_ credential: IssuedCredential) async {}
}
