import PatgateCore
import Synchronization

/// Temporary credentials per (user, role, policy), reused while more than `reuseMargin`
/// seconds of their life remain, they last as long as the request needs, and they do not
/// outlive the request's PAT; concurrent misses for one key share one STS call.
///
/// Keys are keyed hashes (`TokenDigest`) of the user, role and policy: no secret, and not
/// even the user name, is a key. Failures are never cached.
final class S3CredentialCache: Sendable {
    /// Counters for tests.
    struct Statistics: Sendable, Equatable {
        var hits = 0
        var stsCalls = 0
    }

    private struct State {
        /// Credentials are kept until `reuseMargin` seconds before they expire.
        var entries: ExpiringTable<TokenDigest, STSCredentials>
        var inFlight: [TokenDigest: Task<STSCredentials, any Error>] = [:]
        var statistics = Statistics()
    }

    private let reuseMargin: Int64
    private let digests: TokenDigest.Maker
    private let now: @Sendable () -> Int64
    private let state: Mutex<State>

    init(reuseMargin: Int64, maxEntries: Int, now: @escaping @Sendable () -> Int64 = UnixTime.now) throws {
        self.reuseMargin = reuseMargin
        self.digests = try TokenDigest.Maker()
        self.now = now
        self.state = Mutex(State(entries: ExpiringTable(limit: maxEntries)))
    }

    var statistics: Statistics { state.withLock { $0.statistics } }
    var count: Int { state.withLock { $0.entries.count } }

    /// The key for a user, role and (rendered) policy, and the `client_id`, `aud` and `scope` of
    /// the web identity token: an STS trust policy may tell clients or audiences apart, so
    /// credentials one token obtained are never handed to a token that says something else.
    func key(user: String, role: String?, policy: String?, clientID: String = "", audiences: [String] = [],
             scopes: [String] = []) -> TokenDigest {
        // Lengths first, so no choice of strings can make two tuples collide.
        let parts = [user, role ?? "", policy ?? "", clientID, audiences.joined(separator: " "), scopes.joined(separator: " ")]
        return digests.digest(parts.map { "\($0.utf8.count):\($0)" }.joined())
    }

    /// Cached credentials for `key` that expire after the margin, not before `neededUntil`
    /// and not after `notAfter`, or those `fetch` returns (shared with concurrent callers of the same key).
    func credentials(for key: TokenDigest, neededUntil: Int64, notAfter: Int64?,
                     fetch: @escaping @Sendable () async throws(CredentialError) -> STSCredentials) async throws(CredentialError) -> STSCredentials {
        let time = now()
        let lookup: Lookup = state.withLock { state in
            if let cached = state.entries.value(for: key, at: time), cached.expiration >= neededUntil, fits(cached, notAfter) {
                state.statistics.hits += 1
                return .hit(cached)
            }
            if let running = state.inFlight[key] { return .wait(running) }
            state.statistics.stsCalls += 1
            // Unstructured on purpose (single-flight): the STS call belongs to every exchange
            // that joins it, not to the first, which may leave before the others.
            let running = Task<STSCredentials, any Error> { try await fetch() }
            state.inFlight[key] = running
            return .wait(running)
        }
        let task: Task<STSCredentials, any Error>
        switch lookup {
        case .hit(let cached): return cached
        case .wait(let running): task = running
        }
        let result: STSCredentials
        do {
            result = try await task.value
        } catch {
            state.withLock { state in
                if state.inFlight[key] == task { state.inFlight[key] = nil }
            }
            throw (error as? CredentialError) ?? CredentialError(.unavailable, "the S3 credentials could not be obtained; try again later")
        }
        state.withLock { state in
            guard state.inFlight[key] == task else { return }
            state.inFlight[key] = nil
            store(result, for: key, in: &state)
        }
        if fits(result, notAfter) && result.expiration >= neededUntil { return result }
        // Another request's call, for a PAT that ends sooner or later than ours: ask for our own.
        state.withLock { $0.statistics.stsCalls += 1 }
        return try await fetch()
    }

    private enum Lookup {
        case hit(STSCredentials)
        case wait(Task<STSCredentials, any Error>)
    }

    private func fits(_ credentials: STSCredentials, _ notAfter: Int64?) -> Bool {
        notAfter.map { credentials.expiration <= $0 } ?? true
    }

    private func store(_ credentials: STSCredentials, for key: TokenDigest, in state: inout State) {
        state.entries.insert(credentials, for: key, until: credentials.expiration - reuseMargin, at: now())
    }
}
