import JOSE
import PatgateCore

/// What SIGHUP replaces (README, "Reloading the configuration"): the signing keys, the OAuth
/// clients and the policies (`policy`, `claims`, `issuer.policy`), with everything derived from
/// them, built whole from one configuration. A request reads one snapshot from `LiveSettings`,
/// so it never pairs a new key with an old client list.
public final class ReloadableSettings: Sendable {
    public let keys: KeyRing
    public let clients: ClientAuthenticator
    /// `/token`: these clients and this policy, minting with `keys.active`.
    public let exchange: TokenExchangeService
    /// `issuer.policy`: the PAT lifetimes the management API allows.
    public let lifetimes: LifetimePolicy
    /// Checks JWTs signed by any published key (`MintedTokenCheck`).
    let verifier: JWTVerifier
    /// RFC 9701 answers of `/introspect`, signed with the active key.
    let introspectionJWT: IntrospectionJWT
    /// Audiences a JWT must name to reach the management API.
    let apiAudiences: Set<String>
    /// The RFC 8414 / OpenID discovery document: it names the keys' algorithms.
    let discoveryMetadata: [UInt8]
    let jwksMaxAge: Int
    /// `keys.ecdsa_setups_ahead`, which `LiveSettings` applies to the process.
    let ecdsaSetupsAhead: Bool

    /// The parts of the server that a reload keeps: the validation path and the credential
    /// providers (`Components`).
    struct Fixed: Sendable {
        let validator: any SubjectTokenValidator
        let credentials: CredentialBroker
        /// Counts exchanges and signing times; `nil` with metrics off.
        var observer: (any ExchangeObserver)?
    }

    /// Loads the key files named by `config.keys`; throws `ConfigError` naming a bad one.
    init(config: PatgateConfig, fixed: Fixed) throws {
        let keys = try KeyRing(config: config.keys)
        let clients = ClientAuthenticator(clients: config.clients)
        self.keys = keys
        self.clients = clients
        exchange = TokenExchangeService(
            clients: clients, validator: fixed.validator, policy: config.policy,
            minter: AccessTokenMinter(issuer: config.server.issuer, signer: keys.signer, claimCopy: config.claimCopy),
            credentials: fixed.credentials, observer: fixed.observer)
        lifetimes = config.issuer.policy
        verifier = JWTVerifier(keys: keys.published)
        introspectionJWT = IntrospectionJWT(keys: keys, issuerURL: config.server.issuer)
        apiAudiences = Set(config.policy.defaultAudiences + [config.server.issuer])
        discoveryMetadata = DiscoveryRoutes.metadata(config, algorithms: keys.algorithms,
                                                     introspectionAlgorithm: keys.signingAlgorithm)
        jwksMaxAge = config.keys.jwksMaxAge
        ecdsaSetupsAhead = config.keys.ecdsaSetupsAhead
    }
}
