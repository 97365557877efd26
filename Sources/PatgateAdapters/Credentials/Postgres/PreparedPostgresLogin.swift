import OpenSSL
import NIOPosix
import PatgateCore

/// One exchange's login: reused from the cache when allowed, otherwise created in one
/// transaction (role, marker comment, memberships), so a failure leaves no role behind.
struct PreparedPostgresLogin: PreparedCredential {
    let provider: PostgresLoginProvider
    /// The PAT and subject it is issued for: the role's comment, and the cache key (a login is
    /// reused only for the same PAT, so revoking one PAT never ends another's login).
    let origin: PostgresLoginOrigin
    /// What the role name is derived from (`username`, else `sub`).
    let user: String
    let expiresAt: Int64
    let notAfter: Int64?

    func issue() async throws(CredentialError) -> IssuedCredential {
        if let margin = provider.settings.reuseMargin,
           let login = provider.cache.reuse(subject: cacheKey, now: provider.now(), margin: margin, notAfter: notAfter) {
            return credential(login)
        }
        let login: PostgresLoginCache.Login
        let verifier: String
        do {
            let password = Base64URL.encode(try SecureRandom.bytes(32))
            let salt = try SecureRandom.bytes(16)
            // PBKDF2 with 4096 rounds: password hashing runs on NIO's thread pool, never on the caller's thread.
            verifier = try await NIOThreadPool.singleton.runIfActive { try SCRAMVerifier.sha256(password: password, salt: salt) }
            login = .init(name: try PostgresRoleName.make(prefix: provider.settings.namePrefix, user: user),
                          password: password, expiresAt: expiresAt)
        } catch {
            throw CredentialError(.unavailable, "cannot generate a password for a PostgreSQL login")
        }
        let statements = PostgresLoginSQL.create(name: login.name, password: verifier, validUntil: RFC3339.format(expiresAt),
                                                 comment: origin.comment, roles: provider.settings.roles)
        let database = provider.database
        let logger = provider.logger
        let leased = LeasedConnection()
        // All or nothing: a failure rolls the transaction back, and so does the server when the
        // deadline closes the connection (or its statement_timeout fires). A deadline that passes
        // while COMMIT is under way, though, answers 503 and may still leave a committed login
        // nobody received; like every login it carries the marker and is reaped at its expiry.
        try await provider.bounded("create a login", role: login.name, leased: leased) {
            try await database.transaction(leased: leased) { connection in
                for statement in statements { try await statement.execute(on: connection, logger: logger) }
            }
        }
        if provider.settings.reuseMargin != nil {
            provider.cache.store(login, subject: cacheKey, now: provider.now())
        }
        return credential(login)
    }

    /// Drops the role unless another exchange was handed it too (a reused login).
    func withdraw(_ credential: IssuedCredential) async {
        guard provider.cache.release(credential.id) else { return }
        try? await provider.drop(credential.id)
    }

    private var cacheKey: String { origin.subject + "\u{0}" + (origin.patID ?? "") }

    private func credential(_ login: PostgresLoginCache.Login) -> IssuedCredential {
        IssuedCredential(fields: [CredentialField("db_username", login.name), CredentialField("db_password", login.password)],
                         id: login.name, expiresAt: login.expiresAt)
    }
}
