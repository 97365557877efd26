import OpenSSL

/// Console login sessions: a 256-bit random id in a cookie, of which the store keeps only
/// the SHA-256; a CSRF token per session; idle and absolute timeouts.
public struct SessionService: Sendable {
    public let store: any SessionStore
    public let users: any UserStore
    /// Seconds without a request after which a session ends.
    public let idleTimeout: Int64
    /// Seconds after login after which a session ends, however busy.
    public let absoluteTimeout: Int64
    private let audit: any AuditLog
    private let now: @Sendable () -> Int64

    public init(store: any SessionStore, users: any UserStore, idleTimeout: Int64, absoluteTimeout: Int64,
                audit: any AuditLog, now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.store = store
        self.users = users
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.audit = audit
        self.now = now
    }

    /// A new session for `user`: the cookie value (shown to the browser only) and the session.
    public func open(for user: User, address: String?) async throws -> (cookie: String, session: Session) {
        let time = now()
        _ = try await store.purge(idleBefore: time - idleTimeout, createdBefore: time - absoluteTimeout)
        let cookie = Base64URL.encode(try SecureRandom.bytes(32))
        let session = Session(idHash: Self.hash(cookie), username: user.username,
                              csrfToken: Base64URL.encode(try SecureRandom.bytes(32)),
                              createdAt: time, lastSeenAt: time, address: address)
        try await store.insert(session)
        return (cookie, session)
    }

    /// The live session and its enabled user for a cookie value; `nil` if unknown, timed
    /// out (then it is deleted) or its user is gone or disabled. Refreshes the idle timer.
    public func resolve(cookie: String) async throws -> (session: Session, user: User)? {
        guard cookie.utf8.count == 43 else { return nil }
        let idHash = Self.hash(cookie)
        guard var session = try await store.find(idHash: idHash) else { return nil }
        let time = now()
        guard time - session.lastSeenAt < idleTimeout, time - session.createdAt < absoluteTimeout else {
            try await store.delete(idHash: idHash)
            return nil
        }
        guard let user = try await users.find(username: session.username), !user.disabled else { return nil }
        // Not a write per request: the idle timer moves in steps of a tenth of the timeout (≤ 60 s).
        if time - session.lastSeenAt >= min(60, idleTimeout / 10) {
            try await store.touch(idHash: idHash, at: time)
            session.lastSeenAt = time
        }
        return (session, user)
    }

    /// Ends the session of `cookie` (a no-op for an unknown one).
    public func close(cookie: String, address: String?) async throws {
        let idHash = Self.hash(cookie)
        let username = try await store.find(idHash: idHash)?.username
        try await store.delete(idHash: idHash)
        if let username {
            audit.record(AuditEvent(time: now(), kind: .logout, actor: username, address: address))
        }
    }

    /// Constant-time comparison of a presented CSRF token with the session's.
    public static func csrfMatches(_ presented: String?, _ session: Session) -> Bool {
        guard let presented else { return false }
        return ConstantTime.equals(Digest.sha256(Array(presented.utf8)), Digest.sha256(Array(session.csrfToken.utf8)))
    }

    static func hash(_ cookie: String) -> [UInt8] {
        Digest.sha256(Array(cookie.utf8))
    }
}
