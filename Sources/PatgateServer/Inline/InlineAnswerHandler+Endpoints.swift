import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PatgateCore

/// The two endpoints `InlineAnswerHandler` answers, and how each begins: what is decided at
/// once, what must wait, what goes on to the router.
extension InlineAnswerHandler {
    enum Endpoint {
        /// `POST /token`, the RFC 8693 exchange (`TokenExchangeService`).
        case token
        /// `POST /introspect`, the built-in issuer's RFC 7662 endpoint (`IntrospectionEndpoint`).
        case introspection
        /// `GET` of a forward-auth endpoint, Traefik's or nginx's convention (`ForwardAuthRoutes`).
        case forwardAuth(ForwardAuthRoutes.Convention)

        /// The route's name in the request metrics, as the router's.
        var route: String {
            switch self {
            case .token: "/token"
            case .introspection: "/introspect"
            case .forwardAuth(let convention): convention.path
            }
        }

        /// The method of the requests taken for it, as the request metrics name it.
        var method: String {
            switch self {
            case .token, .introspection: "POST"
            case .forwardAuth: "GET"
            }
        }
    }

    /// What to do with a whole request this handler took.
    enum Next {
        /// Write this answer now.
        case answer(JSONResponse.Parts)
        /// Hold the request until this answer is ready.
        case wait(@Sendable () async -> JSONResponse.Parts)
        /// Pass it on to the router.
        case route
    }

    func begin(_ endpoint: Endpoint, _ head: HTTPRequestHead, _ body: ByteBuffer, context: ChannelHandlerContext) -> Next {
        switch endpoint {
        case .token: return withForm(body) { beginExchange(head, $0, context: context) }
        case .introspection: return withForm(body) { beginIntrospection(head, $0, context: context) }
        case .forwardAuth(let convention): return beginForwardAuth(convention, head, context: context)
        }
    }

    /// `next` on the request's form, or the RFC 6749 error a malformed one gets.
    private func withForm(_ body: ByteBuffer, _ next: (FormBody) -> Next) -> Next {
        do {
            return next(try FormRequest.parse(body))
        } catch {
            return .answer(JSONResponse.errorParts(error))
        }
    }

    /// A forward-auth request as its route decides it: a cached JWT is answered at once.
    private func beginForwardAuth(_ convention: ForwardAuthRoutes.Convention, _ head: HTTPRequestHead,
                                  context: ChannelHandlerContext) -> Next {
        guard let routes = settings.forwardAuth,
              let headers = ForwardAuthHeaders(head.headers, routes.names(convention)) else { return .route }
        let address = clientAddress(head, context: context)
        switch routes.answer(convention, method: head.method.rawValue, headers: headers, address: address) {
        case .now(let parts): return .answer(parts)
        case .later(let rest): return .wait(rest)
        }
    }

    private func beginExchange(_ head: HTTPRequestHead, _ form: FormBody, context: ChannelHandlerContext) -> Next {
        let exchange = settings.live.current.exchange
        let authorization = head.headers["authorization"].first
        switch exchange.begin(form: form, authorization: authorization) {
        case .decided(let outcome):
            return .answer(TokenRoutes.answer(outcome, logger: settings.logger))
        case .admitted(let admitted):
            let logger = requestLogger()
            return .wait { TokenRoutes.answer(await exchange.finish(admitted), logger: logger) }
        case .needsAddress:
            // Credentials may be issued: the whole exchange, with the client's address for their audit.
            let address = clientAddress(head, context: context)
            let logger = requestLogger()
            return .wait {
                let outcome: Result<TokenResponse, OAuthError>
                do throws(OAuthError) {
                    outcome = .success(try await exchange.exchange(form: form, authorization: authorization, address: address))
                } catch {
                    outcome = .failure(error)
                }
                return TokenRoutes.answer(outcome, logger: logger)
            }
        }
    }

    private func beginIntrospection(_ head: HTTPRequestHead, _ form: FormBody, context: ChannelHandlerContext) -> Next {
        guard let endpoint = settings.introspection else { return .route }
        let question: IntrospectionEndpoint.Question
        do throws(OAuthError) {
            question = try endpoint.admit(form: form, authorization: head.headers["authorization"].first)
        } catch {
            return .answer(JSONResponse.errorParts(error))
        }
        let accept = head.headers["accept"]
        let jwt = IntrospectionJWT.isAccepted(accept.isEmpty ? nil : accept.joined(separator: ", "))
        let address = clientAddress(head, context: context)
        let logger = requestLogger()
        return .wait { await endpoint.answer(question, jwt: jwt, address: address, logger: logger) }
    }

    /// The logger of a held request: what it logs names a request id, as a routed request's
    /// lines do (Hummingbird's `hb.request.id`, `request_id` in JSON logs).
    private func requestLogger() -> Logger {
        var logger = settings.logger
        logger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
        return logger
    }

    /// The client's address as `PatgateRequestContext.clientAddress` would give it.
    private func clientAddress(_ head: HTTPRequestHead, context: ChannelHandlerContext) -> String? {
        settings.clients.address(peer: context.channel.remoteAddress?.ipAddress, forwardedFor: head.headers["x-forwarded-for"])
    }
}
