import PatgateAdapters
import Hummingbird
import Logging
import PatgateCore

/// `POST /introspect`: the issuer's RFC 7662 endpoint for PATs, for authenticated clients
/// holding the `introspection` grant.
struct IntrospectionRoutes {
    let clients: ClientAuthenticator
    let issuer: PATIssuer
    let users: any UserStore
    let usage: UsageQueue
    let maxBodyBytes: Int

    func register(on router: Router<PatgateRequestContext>) {
        router.post("introspect") { request, context in await introspect(request, context) }
    }

    func introspect(_ request: Request, _ context: PatgateRequestContext) async -> Response {
        let form: FormBody
        let token: String?
        do throws(OAuthError) {
            form = try await FormRequest.read(request, maxBytes: maxBodyBytes)
            let client = try clients.authenticate(authorization: request.headers[.authorization], form: form)
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
                  try await users.find(username: pat.owner)?.disabled != true
            else {
                return JSONResponse.noStore(IntrospectionResponse.inactive)
            }
            usage.record(pat, address: context.clientAddress)
            return JSONResponse.noStore(IntrospectionResponse.active(pat, clientID: "pat"))
        } catch {
            context.logger.error("PAT store failed during introspection", metadata: ["error": "\(type(of: error))"])
            return JSONResponse.error(OAuthError(.temporarilyUnavailable, "the token store is unavailable"))
        }
    }
}
