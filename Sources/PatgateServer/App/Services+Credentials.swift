import Logging
import PatgateAdapters
import PatgateCore

extension Services {
    /// The providers of `credentials.*`, in the order they issue (cheap to withdraw first is
    /// not needed: the broker withdraws what was issued when a later provider fails).
    static func makeCredentialBroker(_ config: PatgateConfig, audit: any AuditLog, logger: Logger) async throws -> CredentialBroker {
        var providers: [any CredentialProvider] = []
        if let s3 = config.credentials.s3 { providers.append(try S3CredentialProvider(settings: s3, logger: logger)) }
        if let x509 = config.credentials.x509 { providers.append(X509CredentialProvider(settings: x509)) }
        return CredentialBroker(providers: providers, audit: audit)
    }
}
