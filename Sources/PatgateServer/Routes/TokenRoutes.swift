import Hummingbird
import Logging
import PatgateCore

/// `POST /token`: the RFC 8693 token exchange.
struct TokenRoutes {
    /// The exchange in force: its clients, policy and signing key reload on SIGHUP.
    let live: LiveSettings
    let maxBodyBytes: Int

    func register(on router: Router<PatgateRequestContext>) {
        router.post("token") { request, context in await exchange(request, context) }
    }

    func exchange(_ request: Request, _ context: PatgateRequestContext) async -> Response {
        do {
            let form = try await FormRequest.read(request, maxBytes: maxBodyBytes)
            let exchange = live.current.exchange
            // The address is only needed for the audit log of issued credentials.
            let address = exchange.credentials.isEmpty ? nil : context.clientAddress
            let response = try await exchange.exchange(
                form: form, authorization: request.headers[.authorization], address: address)
            return Response(Self.answer(.success(response), logger: context.logger))
        } catch {
            return Response(Self.answer(.failure(error), logger: context.logger))
        }
    }

    /// The answer to an exchange's outcome, here and in `InlineAnswerHandler`.
    static func answer(_ outcome: Result<TokenResponse, OAuthError>, logger: Logger) -> JSONResponse.Parts {
        switch outcome {
        case .success(let response):
            return JSONResponse.noStoreParts(response.jsonBody)
        case .failure(let error):
            // Unless its client left while it was held: the inline handler then cancels it.
            if error.code == .temporarilyUnavailable && !Task.isCancelled {
                logger.warning("token exchange failed closed", metadata: ["reason": "\(error.description)"])
            }
            return JSONResponse.errorParts(error)
        }
    }
}
