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
    public let clients: ClientAuthenticator
    public let cache: CachingTokenValidator

    public init(config: PatgateConfig, logger: Logger) throws {
        self.config = config
        keys = try KeyRing(config: config.keys)
        clients = ClientAuthenticator(clients: config.clients)
        issuer = config.issuer.enabled ? try Self.makeIssuer(config.issuer) : nil
        let upstream = try IntrospectionClient(config: config.upstream, logger: logger)
        cache = try CachingTokenValidator(upstream: upstream, settings: config.cache)
        exchange = TokenExchangeService(
            clients: clients, validator: cache, policy: config.policy,
            minter: AccessTokenMinter(issuer: config.server.issuer, signer: keys.signer, claimCopy: config.claimCopy))
    }

    /// Opens the store and reads the PAT hash key.
    public static func makeIssuer(_ config: PatgateConfig.Issuer) throws -> PATIssuer {
        guard let format = PATFormat(prefix: config.tokenPrefix) else {
            throw ConfigError(["issuer.token_prefix: invalid"])
        }
        let store: SQLitePATStore
        do {
            store = try SQLitePATStore(path: config.sqlitePath)
        } catch {
            throw ConfigError(["store.sqlite_path: cannot open \(config.sqlitePath): \(error)"])
        }
        return PATIssuer(store: store, format: format, hashKey: try readHashKey(config.hashKeyFile),
                         scopeCatalogue: config.scopes)
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
