import Hummingbird
import Logging
import PatgateAdapters
import PatgateCore

/// `GET /healthz` (the process answers) and `GET /readyz` (keys loaded, store answers, not
/// stopping).
struct HealthRoutes {
    let readiness: Readiness
    /// The PAT store, when this process runs the built-in issuer.
    let store: (any PATStore)?
    /// `nil` without the built-in issuer: revocation is bounded by the cache TTL only.
    let revocations: RevocationWatcher?

    func register(on router: Router<PatgateRequestContext>) {
        let ok = Array(#"{"status":"ok"}"#.utf8)
        router.get("healthz") { _, _ in JSONResponse.noStore(ok) }
        router.get("readyz") { _, context in
            if readiness.isStopping {
                return JSONResponse.noStore(status: 503, Array(#"{"status":"stopping"}"#.utf8))
            }
            if let store {
                do {
                    try await store.ping()
                } catch {
                    context.logger.error("readiness: the PAT store does not answer")
                    return JSONResponse.noStore(status: 503, Array(#"{"status":"unavailable","store":"down"}"#.utf8))
                }
            }
            // How revocation reaches the cache: `live` (within a second), else the cache TTL bounds it.
            let channel = revocations.map { $0.status == .live ? "live" : "ttl" } ?? "ttl"
            return JSONResponse.noStore(Array(#"{"status":"ready","keys":"loaded","revocation":"\#(channel)"}"#.utf8))
        }
    }
}
