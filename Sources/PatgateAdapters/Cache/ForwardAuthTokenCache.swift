import PatgateCore
import Synchronization

/// Forward auth's JWTs, per (PAT digest, route id): a hit hands out a JWT minted earlier and
/// signs nothing (README "Forward auth"). The key is the PAT's HMAC under a per-process random
/// key, never the PAT (invariant 1 in docs/ARCHITECTURE.md). An entry is handed out while more
/// than `margin` seconds of the JWT's life remain, and for at most `ttl` seconds after it was
/// minted (`cache.ttl_seconds`, the bound on revocation when no channel works); the revocation
/// watcher purges it with the validation cache (invariant 5). `Answer` is what the server makes
/// of a JWT once, when it is minted, and hands out on every hit (the allow answer's headers).
public final class ForwardAuthTokenCache<Answer: Sendable>: RevocationPurgeable {
    /// What a lookup returns: the JWT, its prepared answer, and whose it is.
    public struct Entry: Sendable {
        public let token: String
        public let answer: Answer
        public let subject: String
        public let username: String?
        public let patID: String?
    }

    /// A looked-up key, to store the answer under after a miss without hashing the PAT again.
    public struct Key: Hashable, Sendable {
        let digest: TokenDigest
        let route: String
    }

    private struct State {
        /// Entries are kept while they may be handed out.
        var entries: ExpiringTable<Key, Entry>
        var purges: UInt64 = 0
    }

    private let margin: Int64
    private let ttl: Int64
    private let digests: TokenDigest.Maker
    private let state: Mutex<State>

    public init(margin: Int64, ttl: Int64, maxEntries: Int) throws {
        self.margin = margin
        self.ttl = ttl
        digests = try TokenDigest.Maker()
        state = Mutex(State(entries: ExpiringTable(limit: maxEntries)))
    }

    public var count: Int { state.withLock { $0.entries.count } }

    /// What `lookup` found: the key of the PAT on the route, the JWT cached there (`nil`: a miss),
    /// and the purge count that `store` compares, so an answer that raced a revocation is not kept.
    public struct Lookup: Sendable {
        public let key: Key
        public let entry: Entry?
        public let purges: UInt64
    }

    public func lookup(pat: String, route: String, now: Int64) -> Lookup {
        let key = Key(digest: digests.digest(pat), route: route)
        return state.withLock { state in
            Lookup(key: key, entry: state.entries.value(for: key, at: now), purges: state.purges)
        }
    }

    /// Keeps `token` and its `answer` (minted at `issuedAt`, expiring at `expiresAt`) unless a
    /// purge ran since `purges` or too little of its life would be left to hand it out.
    public func store(_ token: String, answer: Answer, identity: SubjectIdentity, under key: Key, issuedAt: Int64,
                      expiresAt: Int64, purges: UInt64) {
        let handOutUntil = min(expiresAt - margin, issuedAt + ttl)
        let entry = Entry(token: token, answer: answer, subject: identity.subject, username: identity.username, patID: identity.tokenID)
        state.withLock { state in
            guard state.purges == purges else { return }
            state.entries.insert(entry, for: key, until: handOutUntil, at: issuedAt)
        }
    }

    @discardableResult
    public func purge(tokenIDs: Set<String>, subjects: Set<String>) -> Int {
        state.withLock { state in
            state.purges &+= 1
            return state.entries.removeAll { _, entry in
                entry.patID.map(tokenIDs.contains) == true || subjects.contains(entry.subject)
                    || entry.username.map(subjects.contains) == true
            }
        }
    }

    public func purgeAll() {
        state.withLock { state in
            state.purges &+= 1
            state.entries.removeAll()
        }
    }
}
