import Foundation
import JOSE
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
    /// The issuer's database; `nil` when this process runs the gateway role only.
    public let stores: IssuerStores?
    public let clients: ClientAuthenticator
    public let cache: CachingTokenValidator

    public init(config: PatgateConfig, logger: Logger) async throws {
        self.config = config
        keys = try KeyRing(config: config.keys)
        clients = ClientAuthenticator(clients: config.clients)
        var opened: (PATIssuer, IssuerStores)?
        if config.issuer.enabled {
            opened = try await Self.makeIssuer(config.issuer, logger: logger)
        }
        issuer = opened?.0
        stores = opened?.1
        do {
            let upstream = try IntrospectionClient(config: config.upstream, logger: logger)
            cache = try CachingTokenValidator(upstream: upstream, settings: config.cache)
        } catch {
            await opened?.1.shutdown()
            throw error
        }
        exchange = TokenExchangeService(
            clients: clients, validator: cache, policy: config.policy,
            minter: AccessTokenMinter(issuer: config.server.issuer, signer: keys.signer, claimCopy: config.claimCopy))
    }

    /// Closes the store's connections (PostgreSQL); call once the server has stopped.
    public func shutdown() async {
        await stores?.shutdown()
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

    static func openStores(_ config: PatgateConfig.Issuer, logger: Logger) async throws -> IssuerStores {
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

    static func readHashKey(_ path: String) throws -> [UInt8] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let key = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count >= 32
        else {
            throw ConfigError(["issuer.hash_key_file: \(path) must hold at least 32 random bytes, base64url-encoded"])
        }
        return key
    }
}
