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
            return JSONResponse.noStore(response.jsonBody)
        } catch {
            if error.code == .temporarilyUnavailable {
                context.logger.warning("token exchange failed closed", metadata: ["reason": "\(error.description)"])
            }
            return JSONResponse.error(error)
        }
    }
}
