import Curl
import Logging
import PatgateAdapters
import PatgateCore
import PatgateTelemetry
import ServiceLifecycle

/// The providers of `credentials.*` and the long-running pieces they need.
///
/// They issue in this order: the remote STS first (the likeliest to fail, and its keys cannot
/// be withdrawn), then PostgreSQL (a role can be dropped if a later provider fails), then
/// local certificate signing.
public struct CredentialSet: Sendable {
    public let broker: CredentialBroker
    /// libcurl clients (the STS client's), each a driver thread.
    let workers: [any Service]
    /// Database pools (the PostgreSQL logins' admin pool).
    let pools: [any Service]
    /// Periodic work (the PostgreSQL login reaper), stopped before the pools it uses.
    let tasks: [any Service]
    /// What ends with a revoked PAT (the PostgreSQL logins), for the revocation watcher.
    let revocationHandlers: [any RevocationHandler]

    init(_ config: PatgateConfig, audit: any AuditLog, logger: Logger) throws {
        var providers: [any CredentialProvider] = []
        var workers: [any Service] = []
        var pools: [any Service] = []
        var tasks: [any Service] = []
        var handlers: [any RevocationHandler] = []
        if let s3 = config.credentials.s3 {
            let provider = try S3CredentialProvider(settings: s3, logger: logger)
            providers.append(provider)
            workers.append(provider.workers)
        }
        if let postgres = config.credentials.postgres {
            let provider = PostgresLoginProvider(settings: postgres, logger: logger, audit: audit)
            providers.append(provider)
            handlers.append(provider)
            pools.append(provider.pool)
            if let reaper = provider.reaper { tasks.append(reaper) }
        }
        if let x509 = config.credentials.x509 { providers.append(X509CredentialProvider(settings: x509)) }
        if Meters.registry != nil { providers = providers.map { MeteredCredentialProvider($0) } }
        broker = CredentialBroker(providers: providers, audit: audit)
        self.workers = workers
        self.pools = pools
        self.tasks = tasks
        revocationHandlers = handlers
    }
}
