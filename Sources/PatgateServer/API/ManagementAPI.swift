import Hummingbird
import PatgateCore

/// The management API under `/api/v1` (see `openapi.yaml`): sessions, the caller's tokens,
/// scopes and policy, and the administrators' views. Only with the built-in issuer.
struct ManagementAPI {
    let config: PatgateConfig
    let live: LiveSettings
    let management: Components.Management
    let issuer: PATIssuer

    func register(on router: Router<PatgateRequestContext>) {
        let auth = APIAuthenticator(config: config, live: live, management: management, issuer: issuer)
        let api = router.group("api/v1")
        let maxBodyBytes = config.server.maxBodyBytes
        SessionRoutes(accounts: management.accounts, sessions: management.sessions, auth: auth, issuerURL: config.server.issuer,
                      secureCookies: config.secureCookies, maxBodyBytes: maxBodyBytes).register(on: api)
        TokenAPIRoutes(tokens: management.tokens, auth: auth, maxBodyBytes: maxBodyBytes).register(on: api)
        AdminAPIRoutes(tokens: management.tokens, accounts: management.accounts, auth: auth, maxBodyBytes: maxBodyBytes).register(on: api)
    }
}
