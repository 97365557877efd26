import Foundation

/// Behind a load balancer every request comes from the balancer's address, and the login
/// throttle's per-address limit, the audit log and `last_used_ip` would all see that one address.
/// For a peer in `server.trusted_proxies` the client is taken from `X-Forwarded-For`: the
/// rightmost address that is not itself a trusted proxy (entries to its left were written by the
/// client and prove nothing). Other peers' `X-Forwarded-For` is ignored.
/// `ForwardedClientMiddleware` applies it to routed requests, `InlineAnswerHandler` to its own.
struct ForwardedClient: Sendable {
    let trusted: [IPNetwork]

    /// The client a trusted `peer` forwarded (`nil` when it named none, or when `peer` is not
    /// trusted).
    func forwarded(peer: String?, forwardedFor headers: [String]) -> String? {
        guard !trusted.isEmpty, let peer, isTrusted(peer) else { return nil }
        let hops = headers.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard IPNetwork.bytes(hop) != nil else { return nil }   // garbage: believe nothing further left
            if !isTrusted(hop) { return hop }
        }
        return nil
    }

    /// The client's address: the forwarded one, else the peer's.
    func address(peer: String?, forwardedFor headers: [String]) -> String? {
        forwarded(peer: peer, forwardedFor: headers) ?? peer
    }

    private func isTrusted(_ address: String) -> Bool {
        trusted.contains { $0.contains(address) }
    }
}
