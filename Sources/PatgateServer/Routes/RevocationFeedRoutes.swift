import Hummingbird
import Logging
import PatgateAdapters
import PatgateCore

/// `GET /revocations?after=<seq>&wait=<seconds>`: the issuer's revocation feed, which a
/// gateway-only deployment follows to purge its cache within a second of a revocation
/// (README "Revocation feed", openapi.yaml, invariant 5 in docs/ARCHITECTURE.md).
///
/// Read with HTTP Basic by a confidential client holding the `introspection` grant, the same
/// clients as `/introspect`. Without `after` it answers at once with the current position
/// (`next`) and no events: where a new reader starts. With `after` it answers the events
/// numbered above it, at most `RevocationFeedPage.maximumEvents`, oldest first, at once when
/// there are any, else after at most `wait` seconds (0 to 25) with none. A position beyond the
/// latest event (the issuer's store was replaced) answers `reset: true`.
struct RevocationFeedRoutes {
    /// The clients in force.
    let live: LiveSettings
    /// The issuer's store, in commit order.
    let source: any RevocationSource
    /// The issuer's own watcher rings `applied` when new events arrive; a long poll sleeps on it.
    let watcher: RevocationWatcher
    let readiness: Readiness
    static let maximumWait = 25

    func register(on router: Router<PatgateRequestContext>) {
        router.get("revocations") { request, context in await feed(request, context) }
    }

    func feed(_ request: Request, _ context: PatgateRequestContext) async -> Response {
        let after: Int64?
        let wait: Int64
        do throws(OAuthError) {
            let client = try live.current.clients.authenticate(authorization: request.headers[.authorization], form: FormBody(parsing: []))
            guard !client.isPublic else {
                throw OAuthError(.invalidClient, "the revocation feed is for confidential clients")
            }
            guard client.grants.contains(.introspection) else {
                throw OAuthError(.unauthorizedClient, "this client may not read the revocation feed", status: 403)
            }
            after = try Self.integer(request, "after", upTo: .max)
            wait = try Self.integer(request, "wait", upTo: Int64(Self.maximumWait)) ?? 0
        } catch {
            return JSONResponse.error(error)
        }
        do {
            let latest = try await source.latestRevocation()
            guard let after else { return Self.answer(RevocationFeedPage(events: [], next: latest)) }
            if after > latest { return Self.answer(RevocationFeedPage(events: [], next: latest, reset: true)) }
            let deadline = ContinuousClock.now + .seconds(wait)
            var generation = watcher.applied.generation
            var changed = true
            while true {
                if changed {
                    let events = try await source.revocations(after: after, limit: RevocationFeedPage.maximumEvents)
                    if let last = events.last { return Self.answer(RevocationFeedPage(events: events, next: last.sequence)) }
                }
                let remaining = deadline - .now
                if remaining <= .zero || readiness.isStopping || Task.isCancelled {
                    return Self.answer(RevocationFeedPage(events: [], next: after))
                }
                // In slices of a second, so a stop ends the poll early (answered, not cut off).
                await watcher.applied.wait(beyond: generation, upTo: min(remaining, .seconds(1)))
                let now = watcher.applied.generation
                changed = now != generation
                generation = now
            }
        } catch {
            context.logger.error("PAT store failed while reading the revocation feed", metadata: ["error": "\(type(of: error))"])
            return JSONResponse.error(OAuthError(.temporarilyUnavailable, "the token store is unavailable"))
        }
    }

    private static func answer(_ page: RevocationFeedPage) -> Response { JSONResponse.noStore(page.json) }

    /// A query parameter given at most once, a decimal integer from 0; above `upTo` it is cut
    /// to `upTo` (a longer `wait` than the issuer allows is not an error).
    private static func integer(_ request: Request, _ name: String, upTo maximum: Int64) throws(OAuthError) -> Int64? {
        let values = request.uri.queryParameters.getAll(name)
        guard let text = values.first else { return nil }
        guard values.count == 1 else { throw .invalidRequest("\(name) must be given at most once") }
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .invalidRequest("\(name) must be a non-negative integer")
        }
        // Beyond 64 bits: a bounded parameter (`wait`) counts as its bound, a position is refused.
        guard let value = Int64(text) else {
            if maximum < .max { return maximum }
            throw .invalidRequest("\(name) must be at most \(Int64.max)")
        }
        return min(value, maximum)
    }
}
