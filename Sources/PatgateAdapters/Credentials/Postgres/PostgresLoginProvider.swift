import Logging
import PatgateCore
import ServiceLifecycle

/// Temporary PostgreSQL logins (`credentials.postgres`): one role per user and exchange, with
/// a random password, `VALID UNTIL` the token's expiry (never after the PAT's) and membership
/// in the configured roles. A reaper (`PostgresLoginReaper`) drops expired ones and ends their
/// sessions; a revocation drops those of the revoked PAT at once (`revoked`).
///
/// The admin connection is made on first use, so a database that is down at start-up makes
/// exchanges answer 503 until it is back, rather than stopping the server. The admin pool and
/// the reaper are `services`, run by the composition root's `ServiceGroup`.
public final class PostgresLoginProvider: CredentialProvider {
    public let name = "postgres"
    public let publicSettings: [CredentialField]
    let settings: PostgresLoginSettings
    let database: PostgresDatabase
    let cache = PostgresLoginCache()
    let logger: Logger
    /// Where logins dropped on revocation are recorded (`credential.withdrawn`).
    let audit: any AuditLog
    let now: @Sendable () -> Int64

    public init(settings: PostgresLoginSettings, logger: Logger, audit: any AuditLog = NoAuditLog(),
                now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.settings = settings
        self.logger = logger
        self.audit = audit
        self.now = now
        database = PostgresDatabase.connect(settings.admin, logger: logger, connectTimeout: .seconds(settings.timeout),
                                            sessionTimeout: .seconds(settings.timeout))
        publicSettings = [
            CredentialField("db_host", settings.host),
            CredentialField("db_port", Int64(settings.port)),
            CredentialField("db_database", settings.database),
            CredentialField("db_platform", "postgresql"),
        ]
    }

    /// The admin pool: a `Service` of the composition root's group.
    public var pool: PostgresDatabase { database }

    /// The reaper, when `settings.reapInterval` is positive: a `Service` of the group,
    /// listed after `pool` so that it stops first.
    public var reaper: (any Service)? {
        settings.reapInterval > 0 ? PostgresLoginReaper(provider: self, interval: .seconds(settings.reapInterval)) : nil
    }

    /// Runs `body` with the admin pool connected (the CLI and tests, which have no group).
    public func withRunning<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await database.withRunning(body)
    }

    public func prepare(_ request: CredentialRequest) throws(CredentialError) -> (any PreparedCredential)? {
        let expiresAt = request.capped(request.tokenExpiresAt)
        guard expiresAt > request.issuedAt else {
            throw CredentialError(.notPermitted, "the PAT expires too soon for a PostgreSQL login")
        }
        return PreparedPostgresLogin(
            provider: self, origin: PostgresLoginOrigin(patID: request.subject.tokenID, subject: request.subject.subject),
            user: request.subject.username ?? request.subject.subject,
            expiresAt: expiresAt, notAfter: request.notAfter)
    }

    /// Runs `body` within `timeout_seconds`, turning any failure into `.unavailable` with a
    /// safe message for the client; the server's reason goes to the log only. Returns on time
    /// even while a statement still runs: the connection in `leased` is then closed, and the
    /// server's own timeouts (see `init`) end what the close does not.
    func bounded<Result: Sendable>(_ action: String, role: String? = nil, leased: LeasedConnection? = nil,
                                   _ body: @escaping @Sendable () async throws -> Result) async throws(CredentialError) -> Result {
        do {
            return try await Deadline.run(after: .seconds(settings.timeout), onTimeout: { leased?.abandon() }, body)
        } catch {
            // Cancelled: the exchange's client left while it waited. Not the server's failure.
            if Task.isCancelled { throw CredentialError.abandoned }
            var metadata: Logger.Metadata = ["reason": "\(PostgresStoreError.reason(error))", "server": "\(database.settings)"]
            if let role { metadata["role"] = "\(role)" }
            logger.error("PostgreSQL credentials: cannot \(action)", metadata: metadata)
            throw CredentialError(.unavailable, "the PostgreSQL server for temporary logins is unavailable")
        }
    }
}
