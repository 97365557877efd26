import Hummingbird
import PatgateCore

/// `POST /introspect`: the issuer's RFC 7662 endpoint (`IntrospectionEndpoint`), for
/// authenticated clients holding the `introspection` grant, through the router. Most requests
/// are answered on the event loop instead (`InlineAnswerHandler`); this route takes the rest
/// (a large or chunked body, `Expect`, spans exported) with the same answers.
struct IntrospectionRoutes {
    let endpoint: IntrospectionEndpoint
    let maxBodyBytes: Int

    func register(on router: Router<PatgateRequestContext>) {
        router.post("introspect") { request, context in await introspect(request, context) }
    }

    func introspect(_ request: Request, _ context: PatgateRequestContext) async -> Response {
        let question: IntrospectionEndpoint.Question
        do throws(OAuthError) {
            let form = try await FormRequest.read(request, maxBytes: maxBodyBytes)
            question = try endpoint.admit(form: form, authorization: request.headers[.authorization])
        } catch {
            return JSONResponse.error(error)
        }
        return Response(await endpoint.answer(question, jwt: IntrospectionJWT.isAccepted(request.headers[.accept]),
                                              address: context.clientAddress, logger: context.logger))
    }
}
