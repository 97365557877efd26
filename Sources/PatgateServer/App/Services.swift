import Foundation
import OpenSSL
import Logging
import PatgateAdapters
import PatgateCore

/// Everything the routes need, assembled once from the configuration.
public struct Services: Sendable {
    public let config: PatgateConfig
    public let keys: KeyRing
    public let exchange: TokenExchangeService
    /// `nil` when this process runs the gateway role only.
    public let issuer: PATIssuer?
    /// Users, sessions, token management and usage; `nil` without the built-in issuer.
    public let management: Management?
    public let clients: ClientAuthenticator
    public let cache: CachingTokenValidator
    /// The audit log (`audit.path`), shared by the issuer and the credential providers.
    public let audit: any AuditLog

    /// The issuer's side of the management API and the console.
    public struct Management: Sendable {
        /// The issuer's database; shut down by `Services.shutdown()`.
        public let stores: IssuerStores
        public let accounts: AccountService
        public let sessions: SessionService
        public let tokens: TokenManagement
        public let usage: UsageRecorder
        public let audit: any AuditLog
    }

    public init(config: PatgateConfig, logger: Logger) async throws {
        self.config = config
        keys = try KeyRing(config: config.keys)
        clients = ClientAuthenticator(clients: config.clients)
        // A stateless gateway without credential providers has nothing to audit and may run
        // without a writable data directory.
        let audit: any AuditLog = config.issuer.enabled || !config.credentials.enabledProviders.isEmpty
            ? try Self.makeAuditLog(config, logger: logger) : NoAuditLog()
        self.audit = audit
        if config.issuer.enabled {
            let (issuer, stores) = try await Self.makeIssuer(config.issuer, logger: logger)
            do {
                self.issuer = issuer
                management = Management(
                    stores: stores,
                    accounts: try await Self.makeAccounts(config, users: stores.users, audit: audit),
                    sessions: SessionService(store: stores.sessions, users: stores.users, idleTimeout: config.accounts.idleTimeout,
                                             absoluteTimeout: config.accounts.absoluteTimeout, audit: audit),
                    tokens: TokenManagement(issuer: issuer, policy: config.issuer.policy, audit: audit),
                    usage: UsageRecorder(store: stores.pats, audit: audit),
                    audit: audit)
                let upstream = try IntrospectionClient(config: config.upstream, logger: logger)
                cache = try CachingTokenValidator(upstream: upstream, settings: config.validationCacheSettings)
            } catch {
                await stores.shutdown()
                throw error
            }
        } else {
            issuer = nil
            management = nil
            let upstream = try IntrospectionClient(config: config.upstream, logger: logger)
            cache = try CachingTokenValidator(upstream: upstream, settings: config.validationCacheSettings)
        }
        let credentials: CredentialBroker
        do {
            credentials = try await Self.makeCredentialBroker(config, audit: audit, logger: logger)
        } catch {
            await management?.stores.shutdown()
            throw error
        }
        exchange = TokenExchangeService(
            clients: clients, validator: cache, policy: config.policy,
            minter: AccessTokenMinter(issuer: config.server.issuer, signer: keys.signer, claimCopy: config.claimCopy),
            credentials: credentials)
    }

    /// Closes the store's and the providers' connections (PostgreSQL); call once the server has stopped.
    public func shutdown() async {
        await exchange.credentials.shutdown()
        await management?.stores.shutdown()
    }

    /// Opens the configured store (`store.kind`) and reads the PAT hash key. The caller owns
    /// the returned stores and shuts them down when done.
    public static func makeIssuer(_ config: PatgateConfig.Issuer, logger: Logger) async throws -> (PATIssuer, IssuerStores) {
        guard let format = PATFormat(prefix: config.tokenPrefix) else {
            throw ConfigError(["issuer.token_prefix: invalid"])
        }
        let hashKey = try readHashKey(config.hashKeyFile)
        let stores = try await openStores(config, logger: logger)
        return (PATIssuer(store: stores.pats, format: format, hashKey: hashKey, scopeCatalogue: config.scopes), stores)
    }

    /// The one place that chooses the store implementation.
    public static func openStores(_ config: PatgateConfig.Issuer, logger: Logger) async throws -> IssuerStores {
        switch config.storeKind {
        case .sqlite:
            do {
                return try IssuerStores.sqlite(path: config.sqlitePath)
            } catch {
                throw ConfigError(["store.sqlite_path: cannot open \(config.sqlitePath): \(error)"])
            }
        case .postgres:
            guard let settings = config.postgres else { throw ConfigError(["store.postgres_url: missing"]) }
            do {
                return try await IssuerStores.postgres(settings, logger: logger)
            } catch {
                throw ConfigError(["store.postgres_url: \(error.description)"])
            }
        }
    }

    /// The account service the CLI and the server share (bcrypt at `users.bcrypt_cost`).
    public static func makeAccounts(_ config: PatgateConfig, users: any UserStore, audit: any AuditLog) async throws -> AccountService {
        AccountService(users: users, hasher: BcryptPasswordHasher(cost: config.accounts.bcryptCost),
                       throttle: LoginThrottle(settings: config.accounts.throttle), audit: audit)
    }

    /// The JSON Lines audit log of `audit.path`.
    public static func makeAuditLog(_ config: PatgateConfig, logger: Logger) throws -> JSONLinesAuditLog {
        do {
            return try JSONLinesAuditLog(path: config.auditPath, logger: logger)
        } catch {
            throw ConfigError(["audit.path: \(error.description)"])
        }
    }

    /// The PAT hash key of `issuer.hash_key_file` (base64url, at least 32 bytes), read and decoded
    /// into `SecretBytes` so that no copy of it outlives its use unwiped.
    static func readHashKey(_ path: String) throws -> SecretBytes {
        guard let text = try? SecretBytes(contentsOfFile: path), let key = text.base64URLDecoded(), key.count >= 32
        else {
            throw ConfigError(["issuer.hash_key_file: \(path) must hold at least 32 random bytes, base64url-encoded"])
        }
        return key
    }
}
