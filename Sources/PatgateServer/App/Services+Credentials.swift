import Logging
import PatgateAdapters
import PatgateCore

extension Services {
    /// The providers of `credentials.*`, in the order they issue (cheap to withdraw first is
    /// not needed: the broker withdraws what was issued when a later provider fails).
    static func makeCredentialBroker(_ config: PatgateConfig, audit: any AuditLog, logger: Logger) async throws -> CredentialBroker {
        var providers: [any CredentialProvider] = []
        if let postgres = config.credentials.postgres {
            providers.append(PostgresLoginProvider(settings: postgres, logger: logger))
        }
        return CredentialBroker(providers: providers, audit: audit)
    }
}
