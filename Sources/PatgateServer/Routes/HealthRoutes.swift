import Hummingbird
import Logging
import PatgateCore

/// `GET /healthz` (the process answers) and `GET /readyz` (keys loaded, store answers).
struct HealthRoutes {
    let services: Services

    func register(on router: Router<PatgateRequestContext>) {
        let ok = Array(#"{"status":"ok"}"#.utf8)
        router.get("healthz") { _, _ in JSONResponse.noStore(ok) }
        router.get("readyz") { _, context in
            if let issuer = services.issuer {
                do {
                    try await issuer.store.ping()
                } catch {
                    context.logger.error("readiness: the PAT store does not answer")
                    return JSONResponse.noStore(status: 503, Array(#"{"status":"unavailable","store":"down"}"#.utf8))
                }
            }
            return JSONResponse.noStore(Array(#"{"status":"ready","keys":"loaded"}"#.utf8))
        }
    }
}
