import Logging
import PatgateAdapters
import PatgateCore

extension Services {
    /// The providers of `credentials.*`, in the order they issue: the remote STS first (the
    /// likeliest to fail, and its keys cannot be withdrawn), then PostgreSQL (a role can be
    /// dropped if a later provider fails), then local certificate signing.
    static func makeCredentialBroker(_ config: PatgateConfig, audit: any AuditLog, logger: Logger) async throws -> CredentialBroker {
        var providers: [any CredentialProvider] = []
        if let s3 = config.credentials.s3 { providers.append(try S3CredentialProvider(settings: s3, logger: logger)) }
        if let postgres = config.credentials.postgres {
            providers.append(PostgresLoginProvider(settings: postgres, logger: logger))
        }
        if let x509 = config.credentials.x509 { providers.append(X509CredentialProvider(settings: x509)) }
        return CredentialBroker(providers: providers, audit: audit)
    }
}
