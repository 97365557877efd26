import PatgateAdapters
import PatgateCore

/// Issue 14's "flat cost": the two steps of a cache-hit exchange whose work could grow with the
/// deployment, each at both ends of the range. The cache lookup with 1,000 and with 1,000,000
/// PATs cached, asking for PATs of the set in random order, so that the large cache also pays
/// its memory misses; and client authentication with 3 and with 1,000 configured clients.
/// With them, a cache miss into a full cache, as on a gateway that sees more distinct PATs
/// within the cache's TTL than `cache.max_entries`.
enum ScaleBenchmarks {
    static let cachedPATs = [1_000, 1_000_000]
    static let clientCounts = [3, 1_000]

    static func cacheName(_ entries: Int) -> String { "cache lookup (hit), \(entries) PATs cached, random" }
    static func clientsName(_ count: Int) -> String { "client authentication (Basic), \(count) clients" }
    static func missName(full: Bool) -> String {
        full ? "cache miss into a full cache (100000 entries)" : "cache miss, 300000 entries cached, bound not reached"
    }

    static func run(seconds: Double, selects: (String) -> Bool) async throws -> [Measurement] {
        var items: [Measurement] = []
        for entries in cachedPATs where selects(cacheName(entries)) {
            items.append(try await cacheLookup(entries: entries, seconds: seconds))
        }
        for full in [false, true] where selects(missName(full: full)) {
            items.append(try await cacheMiss(full: full, seconds: seconds))
        }
        for count in clientCounts where selects(clientsName(count)) {
            items.append(try clientAuthentication(clients: count, seconds: seconds))
        }
        return items
    }

    static func cacheLookup(entries: Int, seconds: Double) async throws -> Measurement {
        let cache = try CachingTokenValidator(
            upstream: CacheMemory.Upstream(owners: 1_000),
            settings: CacheSettings(positiveTTL: 3600, maxEntries: entries + 1))
        for index in 0..<entries { _ = try await cache.validate(CacheMemory.token(index)) }
        precondition(cache.count == entries, "the cache dropped entries")
        var generator = SystemRandomNumberGenerator()
        let asked = (0..<65_536).map { _ in CacheMemory.token(Int.random(in: 0..<entries, using: &generator)) }
        return try await Measurement.run(cacheName(entries), seconds: seconds) { done in
            for token in asked[(done % asked.count)...].prefix(64) { _ = try await cache.validate(token) }
        }
    }

    /// New PATs after 300,000 others, none expired yet: into the default cache's bound
    /// (`cache.max_entries`, 100,000), where each miss drops one entry to make room, and into
    /// a cache whose bound is not reached (BENCHMARKS.md, "Issue 14", sessions 31 and 32).
    /// Each operation is one miss with an upstream that answers at once.
    static func cacheMiss(full: Bool, seconds: Double) async throws -> Measurement {
        let cache = try CachingTokenValidator(upstream: CacheMemory.Upstream(owners: 1_000),
                                              settings: CacheSettings(positiveTTL: 3600, maxEntries: full ? 100_000 : 10_000_000))
        var next = 0
        func miss() async throws {
            _ = try await cache.validate(CacheMemory.token(next))
            next += 1
        }
        for _ in 0..<300_000 { try await miss() }
        return try await Measurement.run(missName(full: full), seconds: seconds) { _ in
            for _ in 0..<64 { try await miss() }
        }
    }

    static func clientAuthentication(clients count: Int, seconds: Double) throws -> Measurement {
        let secret = { (index: Int) in "s3cr3t-\(index)-0123456789abcdefghijklmnopqrstuv" }
        let clients = ClientAuthenticator(clients: (0..<count).map {
            OAuthClient(id: "client-\($0)", authentication: .secret(SecretDigest(hashing: secret($0))))
        })
        let asked = count / 2
        let basic = "Basic " + HotPathBenchmarks.base64("client-\(asked):" + secret(asked))
        let form = try FormBody(parsing: Array("grant_type=x".utf8))
        _ = try clients.authenticate(authorization: basic, form: form)
        return Measurement.run(clientsName(count), seconds: seconds) {
            _ = try clients.authenticate(authorization: basic, form: form)
        }
    }
}
