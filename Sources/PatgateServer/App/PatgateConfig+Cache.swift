import PatgateAdapters
import PatgateCore

extension PatgateConfig {
    /// `cache` plus what its entries must keep: the upstream claims `policy.copy_claims` reads.
    var validationCacheSettings: CacheSettings {
        var settings = cache
        settings.keptClaims = claimCopy.sourceClaims
        return settings
    }
}
