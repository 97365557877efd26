import Hummingbird

/// Names a routed request's client as a trusted proxy forwarded it (`ForwardedClient`), in
/// `PatgateRequestContext.forwardedAddress`.
struct ForwardedClientMiddleware: RouterMiddleware {
    typealias Context = PatgateRequestContext
    let clients: ForwardedClient

    init(trusted: [IPNetwork]) {
        clients = ForwardedClient(trusted: trusted)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.forwardedAddress = clients.forwarded(peer: context.remoteAddress?.ipAddress,
                                                     forwardedFor: request.headers[values: .init("X-Forwarded-For")!])
        return try await next(request, context)
    }
}
