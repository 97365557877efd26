import Hummingbird
import PatgateCore

/// The management API under `/api/v1` (see `openapi.yaml`): sessions, the caller's tokens,
/// scopes and policy, and the administrators' views. Only with the built-in issuer.
struct ManagementAPI {
    let services: Services
    let management: Services.Management
    let issuer: PATIssuer

    func register(on router: Router<PatgateRequestContext>) {
        let auth = APIAuthenticator(services: services, management: management, issuer: issuer)
        let api = router.group("api/v1")
        SessionRoutes(services: services, management: management, auth: auth).register(on: api)
        TokenAPIRoutes(services: services, management: management, auth: auth).register(on: api)
        AdminAPIRoutes(services: services, management: management, auth: auth).register(on: api)
    }
}
