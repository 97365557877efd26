import Curl
import PatgateCore

/// `credentials.s3.*`: where and how the S3 provider asks an STS (AWS, MinIO, Ceph RGW) for
/// temporary credentials with `AssumeRoleWithWebIdentity`, and what clients are told about S3.
public struct S3CredentialSettings: Sendable {
    /// The STS endpoint (`https://sts.amazonaws.com`, a MinIO server's URL, …).
    public var stsEndpoint: String
    /// `RoleArn`; `nil` sends none (MinIO with claim-based policies).
    public var roleARN: String?
    /// `RoleSessionName`, from the user.
    public var sessionName: SessionNameTemplate
    /// The inline session policy (`Policy`), from the user; `nil` sends none.
    public var policy: PolicyTemplate?
    /// The longest `DurationSeconds` asked for (the role's maximum session duration).
    public var maxDuration: Int64
    /// A cached credential is handed out again only while more than this many seconds remain.
    public var reuseMargin: Int64
    /// Bound on cached credentials; 0 turns the cache off.
    public var cacheMaxEntries: Int
    /// Timeouts, TLS and proxy of the STS calls.
    public var http: HTTPClientOptions
    /// Non-secret settings for clients: `aws_endpoint_url`, `aws_region`, `s3_bucket`.
    public var endpointURL: String?
    public var region: String?
    public var bucket: String?

    public init(stsEndpoint: String, roleARN: String?, sessionName: SessionNameTemplate = .standard,
                policy: PolicyTemplate? = nil, maxDuration: Int64 = 3_600, reuseMargin: Int64 = 300,
                cacheMaxEntries: Int = 10_000, http: HTTPClientOptions = HTTPClientOptions(connections: 4),
                endpointURL: String? = nil, region: String? = nil, bucket: String? = nil) {
        self.stsEndpoint = stsEndpoint
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.policy = policy
        self.maxDuration = maxDuration
        self.reuseMargin = reuseMargin
        self.cacheMaxEntries = cacheMaxEntries
        self.http = http
        self.endpointURL = endpointURL
        self.region = region
        self.bucket = bucket
    }

    /// The settings published at `/.well-known/configuration` and repeated in each response.
    public var publicSettings: [CredentialField] {
        var fields: [CredentialField] = []
        if let endpointURL { fields.append(CredentialField("aws_endpoint_url", endpointURL)) }
        if let region { fields.append(CredentialField("aws_region", region)) }
        if let bucket { fields.append(CredentialField("s3_bucket", bucket)) }
        return fields
    }
}
