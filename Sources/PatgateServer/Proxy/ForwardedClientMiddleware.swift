import Foundation
import Hummingbird

/// Behind a load balancer every request comes from the balancer's address, and the login
/// throttle's per-address limit, the audit log and `last_used_ip` would all see that one address.
/// For a peer in `server.trusted_proxies` this takes the client from `X-Forwarded-For`: the
/// rightmost address that is not itself a trusted proxy (entries to its left were written by the
/// client and prove nothing). Other peers' `X-Forwarded-For` is ignored.
struct ForwardedClientMiddleware: RouterMiddleware {
    typealias Context = PatgateRequestContext
    let trusted: [IPNetwork]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let peer = context.remoteAddress?.ipAddress, isTrusted(peer) {
            context.forwardedAddress = client(request.headers[values: .init("X-Forwarded-For")!])
        }
        return try await next(request, context)
    }

    func client(_ headers: [String]) -> String? {
        let hops = headers.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard IPNetwork.bytes(hop) != nil else { return nil }   // garbage: believe nothing further left
            if !isTrusted(hop) { return hop }
        }
        return nil
    }

    private func isTrusted(_ address: String) -> Bool {
        trusted.contains { $0.contains(address) }
    }
}
