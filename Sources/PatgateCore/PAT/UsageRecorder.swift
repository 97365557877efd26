import Synchronization

/// Records that a PAT was used (`last_used_at`, the caller's address, a `pat.used` audit
/// line) at most once per `interval` per token, so an exchange is not a store write.
///
/// The throttle is in memory: each process writes at most once per interval per token.
public final class UsageRecorder: Sendable {
    private let store: any PATStore
    private let audit: any AuditLog
    private let interval: Int64
    private let now: @Sendable () -> Int64
    /// The tokens recorded within the last interval.
    private let recent = Mutex(ExpiringTable<String, Void>(limit: 100_000))

    public init(store: any PATStore, audit: any AuditLog, interval: Int64 = 60,
                now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.store = store
        self.audit = audit
        self.interval = interval
        self.now = now
    }

    /// Claims the right to record a use of `id` now: `true` at most once per interval per token.
    public func claim(_ id: String) -> Bool {
        let time = now()
        return recent.withLock { recent in
            if recent.value(for: id, at: time) != nil { return false }
            // When full, a token dropped while fresh is at most recorded once more.
            recent.insert((), for: id, until: time + interval, at: time)
            return true
        }
    }

    /// Writes uses (each after a successful `claim`) in one store transaction, then their
    /// `pat.used` lines.
    public func record(_ uses: [(token: PersonalAccessToken, address: String?)]) async throws {
        let time = now()
        try await store.markUsed(uses.map { PATUse(id: $0.token.id, time: time, address: $0.address) })
        for use in uses {
            audit.record(AuditEvent(time: time, kind: .patUsed, actor: use.token.owner, target: use.token.id, address: use.address))
        }
    }
}
