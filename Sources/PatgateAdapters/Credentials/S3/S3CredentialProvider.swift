import Curl
import Logging
import PatgateCore

/// The `s3` credential provider: temporary S3 credentials from an STS
/// (`AssumeRoleWithWebIdentity`, the freshly minted JWT as the web identity token).
///
/// The credentials live the token's lifetime, raised to the STS minimum (900 s) and capped by
/// `max_duration_seconds`; they never outlive the PAT: a PAT expiring sooner is refused.
public final class S3CredentialProvider: CredentialProvider {
    public let name = "s3"
    public let publicSettings: [CredentialField]
    let settings: S3CredentialSettings
    let client: STSClient
    let cache: S3CredentialCache
    /// Whole seconds an STS call may take: the duration is shortened by it (see `STSDuration.fitted`).
    let slack: Int64

    public init(settings: S3CredentialSettings, logger: Logger, now: @escaping @Sendable () -> Int64 = UnixTime.now) throws {
        self.settings = settings
        publicSettings = settings.publicSettings
        client = try STSClient(settings: settings, logger: logger)
        cache = try S3CredentialCache(reuseMargin: settings.reuseMargin, maxEntries: settings.cacheMaxEntries, now: now)
        let (seconds, attoseconds) = settings.http.totalTimeout.components
        slack = seconds + (attoseconds > 0 ? 1 : 0)
    }

    public func prepare(_ request: CredentialRequest) throws(CredentialError) -> (any PreparedCredential)? {
        let user = request.subject.username ?? request.subject.subject
        guard let duration = STSDuration.fitted(
            lifetime: request.lifetime, maximum: settings.maxDuration, issuedAt: request.issuedAt,
            notAfter: request.notAfter, slack: slack)
        else {
            throw CredentialError(.notPermitted, "the PAT expires too soon for S3 credentials, which last at least "
                + "\(STSDuration.minimum) seconds (plus \(slack) s for the STS call); use a PAT that lives longer")
        }
        let policy = try settings.policy?.render(user: user)
        return Prepared(
            provider: self, token: request.accessToken, sessionName: settings.sessionName.render(user: user),
            policy: policy, duration: duration, notAfter: request.notAfter,
            neededUntil: min(request.tokenExpiresAt, request.issuedAt + duration),
            key: cache.key(user: user, role: settings.roleARN, policy: policy, clientID: request.clientID,
                           audiences: request.audiences.sorted(), scopes: request.scopes.sorted()))
    }

    /// The STS client's libcurl client (its driver thread), run by the composition root's `ServiceGroup`.
    public var workers: HTTPClient { client.http }

    struct Prepared: PreparedCredential {
        let provider: S3CredentialProvider
        let token: String
        let sessionName: String
        let policy: String?
        let duration: Int64
        let notAfter: Int64?
        /// A cached credential must last this long: the token's expiry, or a fresh credential's.
        let neededUntil: Int64
        let key: TokenDigest

        func issue() async throws(CredentialError) -> IssuedCredential {
            let client = provider.client
            let (token, sessionName, policy, duration) = (token, sessionName, policy, duration)
            let credentials = try await provider.cache.credentials(for: key, neededUntil: neededUntil, notAfter: notAfter) { () async throws(CredentialError) in
                try await client.assumeRole(token: token, sessionName: sessionName, policy: policy, duration: duration)
            }
            if let notAfter, credentials.expiration > notAfter {
                // Only an STS whose clock runs ahead of ours by more than the call's timeout.
                throw CredentialError(.unavailable, "the S3 credentials service (STS) granted credentials that would outlive the PAT; try again later")
            }
            return IssuedCredential(fields: [
                CredentialField("aws_access_key_id", credentials.accessKeyID),
                CredentialField("aws_secret_access_key", credentials.secretAccessKey),
                CredentialField("aws_session_token", credentials.sessionToken),
                CredentialField("aws_credentials_expiration", RFC3339.format(credentials.expiration)),
            ], id: credentials.accessKeyID, expiresAt: credentials.expiration)
        }
    }
}
