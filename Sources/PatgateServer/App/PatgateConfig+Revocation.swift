import Curl
import PatgateAdapters

extension PatgateConfig {
    /// How revocations reach this process's cache (README "Revocation"), as `check-config`
    /// and the "listening" log line say it. `/readyz` says whether the channel works now.
    public var revocationChannel: String {
        if issuer.enabled {
            switch issuer.storeKind {
            case .sqlite: return "the store, read every 200 ms"
            case .postgres: return "the store, woken by PostgreSQL LISTEN/NOTIFY"
            }
        }
        if let feed = upstream.revocationFeedURL {
            return "the revocation feed \(HTTPRequest.redacted(feed))"
        }
        return "none: cache.ttl_seconds (\(cache.positiveTTL) s) bounds revocation"
    }
}
