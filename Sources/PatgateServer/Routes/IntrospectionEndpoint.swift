import Logging
import PatgateCore

/// The built-in issuer's RFC 7662 endpoint below HTTP: who may ask, and the answer. The router
/// (`IntrospectionRoutes`) and the event loop (`InlineAnswerHandler`) answer with it alike.
/// It answers for PATs and for the JWTs this gateway minted; a JWT is active only while the PAT
/// it came from is (invariant 7 in docs/ARCHITECTURE.md). With `jwt` (the client sent
/// `Accept: application/token-introspection+jwt`) the answer is a signed JWT (RFC 9701).
struct IntrospectionEndpoint: Sendable {
    /// The clients and the signing key in force.
    let live: LiveSettings
    let issuer: PATIssuer
    let minted: MintedTokenCheck
    let usage: UsageQueue

    /// An authenticated client's question, with the settings it was admitted under.
    struct Question: Sendable {
        let clientID: String
        let token: String
        let settings: ReloadableSettings
    }

    /// Authenticates the client (it needs the `introspection` grant) and reads `token`.
    func admit(form: FormBody, authorization: String?) throws(OAuthError) -> Question {
        let settings = live.current
        let client = try settings.clients.authenticate(authorization: authorization, form: form)
        guard client.grants.contains(.introspection) else {
            throw OAuthError(.unauthorizedClient, "this client may not introspect tokens", status: 403)
        }
        guard let token = try form.single("token") else { throw .invalidRequest("token is required") }
        return Question(clientID: client.id, token: token, settings: settings)
    }

    /// The answer to an admitted question; a store that fails, or a key that cannot sign, is a
    /// 503. `address`: the asking client's, recorded as the PAT's last use.
    func answer(_ question: Question, jwt: Bool, address: String?, logger: Logger) async -> JSONResponse.Parts {
        let answer: [UInt8]
        do {
            answer = try await self.answer(question.token, address: address)
        } catch {
            // Cancelled when the asking client left while the store read waited: nothing failed.
            if Task.isCancelled { return JSONResponse.errorParts(OAuthError(.temporarilyUnavailable, "the request was abandoned")) }
            logger.error("PAT store failed during introspection", metadata: ["error": "\(type(of: error))"])
            return JSONResponse.errorParts(OAuthError(.temporarilyUnavailable, "the token store is unavailable"))
        }
        guard jwt else { return JSONResponse.noStoreParts(answer) }
        do {
            let signed = try question.settings.introspectionJWT.sign(answer, for: question.clientID, now: issuer.currentTime())
            return JSONResponse.noStoreParts(Array(signed.utf8), contentType: IntrospectionJWT.mediaType)
        } catch {
            logger.error("cannot sign an introspection answer", metadata: ["error": "\(type(of: error))"])
            return JSONResponse.errorParts(OAuthError(.temporarilyUnavailable, "the introspection answer could not be signed"))
        }
    }

    /// The RFC 7662 answer for a PAT value or a JWT of ours; `{"active":false}` for anything else.
    private func answer(_ token: String, address: String?) async throws -> [UInt8] {
        if issuer.format.isWellFormed(token) {
            guard let pat = try await issuer.introspectWithOwner(token) else { return IntrospectionResponse.inactive }
            usage.record(pat, address: address)
            return IntrospectionResponse.active(pat, clientID: "pat")
        }
        guard let (jwt, _) = try await minted.live(token) else { return IntrospectionResponse.inactive }
        return jwt.introspectionResponse()
    }
}
