import Foundation
import OpenSSL
import Logging
import PatgateAdapters
import PatgateCore

/// The pieces the CLI builds on its own, without a server.
extension Components {
    /// Opens the configured store (`store.kind`) and reads the PAT hash key. PostgreSQL's
    /// pool serves once it runs (`IssuerStores.withRunning` or the server's group).
    public static func makeIssuer(_ config: PatgateConfig.Issuer, logger: Logger) async throws -> (PATIssuer, IssuerStores) {
        let stores = try await openStores(config, logger: logger)
        return (try makeIssuer(config, pats: stores.pats, users: stores.users), stores)
    }

    /// The issuer over these stores (the server's tell the revocation watcher what they revoke).
    static func makeIssuer(_ config: PatgateConfig.Issuer, pats: any PATStore, users: any UserStore) throws -> PATIssuer {
        guard let format = PATFormat(prefix: config.tokenPrefix) else {
            throw ConfigError(["issuer.token_prefix: invalid"])
        }
        return PATIssuer(store: pats, users: users, format: format, hashKey: try readHashKey(config.hashKeyFile),
                         scopeCatalogue: config.scopes)
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

    /// The account service the CLI and the server share (bcrypt at `users.bcrypt_cost`), with
    /// the login throttle of `stores` (shared by the fleet on PostgreSQL).
    public static func makeAccounts(_ config: PatgateConfig, stores: IssuerStores, users: any UserStore,
                                    audit: any AuditLog) async throws -> AccountService {
        AccountService(users: users, hasher: BcryptPasswordHasher(cost: config.accounts.bcryptCost),
                       throttle: stores.loginThrottle(config.accounts.throttle), audit: audit)
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
