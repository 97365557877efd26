import Hummingbird
import Logging
import PatgateCore

/// `POST /introspect`: the issuer's RFC 7662 endpoint for PATs, for authenticated clients
/// holding the `introspection` grant.
struct IntrospectionRoutes {
    let services: Services
    let issuer: PATIssuer

    func register(on router: Router<PatgateRequestContext>) {
        router.post("introspect") { request, context in await introspect(request, context) }
    }

    func introspect(_ request: Request, _ context: PatgateRequestContext) async -> Response {
        let form: FormBody
        let token: String?
        do throws(OAuthError) {
            form = try await FormRequest.read(request, maxBytes: services.config.server.maxBodyBytes)
            let client = try services.clients.authenticate(authorization: request.headers[.authorization], form: form)
            guard client.grants.contains(.introspection) else {
                throw OAuthError(.unauthorizedClient, "this client may not introspect tokens", status: 403)
            }
            token = try form.single("token")
        } catch {
            return JSONResponse.error(error)
        }
        guard let token else {
            return JSONResponse.error(.invalidRequest("token is required"))
        }
        do {
            guard let pat = try await issuer.introspect(token),
                  try await services.management?.stores.users.find(username: pat.owner)?.disabled != true
            else {
                return JSONResponse.noStore(IntrospectionResponse.inactive)
            }
            services.management?.usage.recordInBackground(pat, address: context.clientAddress, logger: context.logger)
            return JSONResponse.noStore(IntrospectionResponse.active(pat, clientID: "pat"))
        } catch {
            context.logger.error("PAT store failed during introspection", metadata: ["error": "\(type(of: error))"])
            return JSONResponse.error(OAuthError(.temporarilyUnavailable, "the token store is unavailable"))
        }
    }
}
