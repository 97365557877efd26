import PatgateAdapters
import Hummingbird
import Logging
import PatgateCore

/// `POST /introspect`: the issuer's RFC 7662 endpoint, for authenticated clients holding the
/// `introspection` grant. It answers for PATs and for the JWTs this gateway minted; a JWT is
/// active only while the PAT it came from is (invariant 7 in docs/ARCHITECTURE.md), so a
/// resource server that must see a revocation at once asks here. With
/// `Accept: application/token-introspection+jwt` the answer is a signed JWT (RFC 9701).
struct IntrospectionRoutes {
    /// The clients and the signing key in force.
    let live: LiveSettings
    let issuer: PATIssuer
    let minted: MintedTokenCheck
    let usage: UsageQueue
    let maxBodyBytes: Int

    func register(on router: Router<PatgateRequestContext>) {
        router.post("introspect") { request, context in await introspect(request, context) }
    }

    func introspect(_ request: Request, _ context: PatgateRequestContext) async -> Response {
        let form: FormBody
        let client: OAuthClient
        let token: String?
        let settings = live.current
        do throws(OAuthError) {
            form = try await FormRequest.read(request, maxBytes: maxBodyBytes)
            client = try settings.clients.authenticate(authorization: request.headers[.authorization], form: form)
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
        let answer: [UInt8]
        do {
            answer = try await self.answer(token, context)
        } catch {
            context.logger.error("PAT store failed during introspection", metadata: ["error": "\(type(of: error))"])
            return JSONResponse.error(OAuthError(.temporarilyUnavailable, "the token store is unavailable"))
        }
        guard IntrospectionJWT.isAccepted(request.headers[.accept]) else { return JSONResponse.noStore(answer) }
        do {
            let jwt = try settings.introspectionJWT.sign(answer, for: client.id, now: issuer.currentTime())
            return JSONResponse.noStore(Array(jwt.utf8), contentType: IntrospectionJWT.mediaType)
        } catch {
            context.logger.error("cannot sign an introspection answer", metadata: ["error": "\(type(of: error))"])
            return JSONResponse.error(OAuthError(.temporarilyUnavailable, "the introspection answer could not be signed"))
        }
    }

    /// The RFC 7662 answer for a PAT value or a JWT of ours; `{"active":false}` for anything else.
    private func answer(_ token: String, _ context: PatgateRequestContext) async throws -> [UInt8] {
        if issuer.format.isWellFormed(token) {
            guard let pat = try await issuer.introspectWithOwner(token) else { return IntrospectionResponse.inactive }
            usage.record(pat, address: context.clientAddress)
            return IntrospectionResponse.active(pat, clientID: "pat")
        }
        guard let (jwt, _) = try await minted.live(token) else { return IntrospectionResponse.inactive }
        return jwt.introspectionResponse()
    }
}
