import PatgateCore
import PatgateTestSupport
import Testing
@testable import PatgateAdapters

/// Forward auth's JWT cache: per (PAT digest, route), handed out while more than the margin
/// of the JWT's life remains and never longer than the validation cache's TTL, bounded in
/// size, and emptied by the revocation watcher with the validation cache.
@Suite struct ForwardAuthTokenCacheTests {
    let alice = SubjectIdentity(subject: "alice", scopes: ["openid"], tokenID: "pat-1")
    let bob = SubjectIdentity(subject: "bob", username: "robert", scopes: [], tokenID: "pat-2")

    func cache(margin: Int64 = 60, ttl: Int64 = 1_000, maxEntries: Int = 100) throws -> ForwardAuthTokenCache<String> {
        try ForwardAuthTokenCache(margin: margin, ttl: ttl, maxEntries: maxEntries)
    }

    /// Stores `token` for `pat` on `route`, minted at `now` to live `lifetime` seconds.
    func fill(_ cache: ForwardAuthTokenCache<String>, _ pat: String, _ route: String, _ token: String, identity: SubjectIdentity? = nil,
              now: Int64 = 1_000, lifetime: Int64 = 600) {
        let looked = cache.lookup(pat: pat, route: route, now: now)
        cache.store(token, answer: "Bearer " + token, identity: identity ?? alice, under: looked.key, issuedAt: now, expiresAt: now + lifetime, purges: looked.purges)
    }

    @Test func aJWTIsHandedOutPerPATAndRouteUntilOnlyTheMarginIsLeft() throws {
        let cache = try cache()
        fill(cache, "pat-a", "orders", "jwt-1")
        #expect(cache.lookup(pat: "pat-a", route: "orders", now: 1_000).entry?.token == "jwt-1")
        #expect(cache.lookup(pat: "pat-a", route: "orders", now: 1_000).entry?.answer == "Bearer jwt-1")
        #expect(cache.lookup(pat: "pat-a", route: "orders", now: 1_539).entry?.subject == "alice")
        #expect(cache.lookup(pat: "pat-a", route: "orders", now: 1_540).entry == nil)   // 60 s left: mint anew
        #expect(cache.lookup(pat: "pat-a", route: "git", now: 1_000).entry == nil)
        #expect(cache.lookup(pat: "pat-b", route: "orders", now: 1_000).entry == nil)
    }

    @Test func theValidationCacheTTLBoundsAnEntryAndShortLivesAreNotKept() throws {
        let cache = try cache(ttl: 30)
        fill(cache, "pat-a", "orders", "jwt-1")
        #expect(cache.lookup(pat: "pat-a", route: "orders", now: 1_029).entry != nil)
        #expect(cache.lookup(pat: "pat-a", route: "orders", now: 1_030).entry == nil)
        let short = try self.cache()
        fill(short, "pat-a", "orders", "jwt-1", lifetime: 60)    // a PAT about to expire: nothing to reuse
        #expect(short.count == 0)
    }

    @Test func revocationsPurgeByPATIdAndByUser() throws {
        let cache = try cache()
        fill(cache, "pat-a", "orders", "jwt-1")
        fill(cache, "pat-a", "git", "jwt-2")
        fill(cache, "pat-b", "orders", "jwt-3", identity: bob)
        #expect(cache.purge(tokenIDs: ["pat-1"], subjects: []) == 2)
        #expect(cache.lookup(pat: "pat-a", route: "orders", now: 1_000).entry == nil)
        #expect(cache.purge(tokenIDs: [], subjects: ["robert"]) == 1)   // the username names bob too
        #expect(cache.count == 0)
    }

    @Test func aJWTMintedWhileARevocationRanIsNotKept() throws {
        let cache = try cache()
        let looked = cache.lookup(pat: "pat-a", route: "orders", now: 1_000)
        cache.purge(tokenIDs: ["unrelated"], subjects: [])
        cache.store("jwt-1", answer: "Bearer jwt-1", identity: alice, under: looked.key, issuedAt: 1_000, expiresAt: 1_600, purges: looked.purges)
        #expect(cache.count == 0)
    }

    @Test func theSizeIsBounded() throws {
        let cache = try cache(maxEntries: 20)
        for index in 0..<100 { fill(cache, "pat-\(index)", "orders", "jwt-\(index)") }
        #expect(cache.count <= 20)
        let off = try self.cache(maxEntries: 0)
        fill(off, "pat-a", "orders", "jwt-1")
        #expect(off.count == 0)
    }

    @Test func theRevocationWatcherPurgesItWithTheValidationCache() async throws {
        let source = ScriptedRevocationSource()
        let validation = try CachingTokenValidator(upstream: CountingUpstream(delay: .zero), settings: .init(positiveTTL: 600))
        let cache = try cache()
        let watcher = RevocationWatcher(source: source, cache: validation, dependentCaches: [cache],
                                        logger: TestEnvironment.quietLogger("watcher"))
        fill(cache, "pat-a", "orders", "jwt-1")
        await watcher.catchUp()
        #expect(cache.count == 0)                         // the first read empties it: it may predate revocations
        fill(cache, "pat-a", "orders", "jwt-1")
        fill(cache, "pat-b", "orders", "jwt-2", identity: bob)
        source.revoke(.token, "pat-1")
        await watcher.catchUp()
        #expect(cache.lookup(pat: "pat-a", route: "orders", now: 1_000).entry == nil)
        #expect(cache.lookup(pat: "pat-b", route: "orders", now: 1_000).entry?.token == "jwt-2")
        source.script.withLock { $0.gapAt = 0 }
        await watcher.catchUp()
        #expect(cache.count == 0)
    }

    @Test func theKeyIsNotThePAT() throws {
        let cache = try cache()
        let key = cache.lookup(pat: "pgat_secret", route: "orders", now: 1_000).key
        #expect(!String(describing: key).contains("pgat_secret"))
    }
}
