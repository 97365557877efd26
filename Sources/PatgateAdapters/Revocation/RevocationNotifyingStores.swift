import PatgateCore

/// The PAT store as the serving process uses it: after a revocation (or a rotation, which
/// revokes) commits, the process's own cache forgets the token before the call returns.
public struct RevocationNotifyingPATStore: PATStore {
    let inner: any PATStore
    let watcher: RevocationWatcher

    public init(_ inner: any PATStore, watcher: RevocationWatcher) {
        self.inner = inner
        self.watcher = watcher
    }

    public func insert(_ token: PersonalAccessToken, valueHash: [UInt8]) async throws {
        try await inner.insert(token, valueHash: valueHash)
    }
    public func find(valueHash: [UInt8]) async throws -> PersonalAccessToken? { try await inner.find(valueHash: valueHash) }
    public func find(id: String) async throws -> PersonalAccessToken? { try await inner.find(id: id) }
    public func findWithOwner(valueHash: [UInt8]) async throws -> (token: PersonalAccessToken, ownerDisabled: Bool)? {
        try await inner.findWithOwner(valueHash: valueHash)
    }
    public func list(owner: String) async throws -> [PersonalAccessToken] { try await inner.list(owner: owner) }
    public func page(_ query: PATQuery) async throws -> PATPage { try await inner.page(query) }
    public func markUsed(_ uses: [PATUse]) async throws { try await inner.markUsed(uses) }
    public func ping() async throws { try await inner.ping() }

    public func revoke(id: String, at time: Int64) async throws -> Bool {
        let found = try await inner.revoke(id: id, at: time)
        await watcher.catchUp()
        return found
    }

    public func rotate(oldID: String, replacement: PersonalAccessToken, valueHash: [UInt8], at time: Int64) async throws {
        try await inner.rotate(oldID: oldID, replacement: replacement, valueHash: valueHash, at: time)
        await watcher.catchUp()
    }
}

/// The user store as the serving process uses it: disabling a user makes the process's own
/// cache forget that user's tokens before the call returns.
public struct RevocationNotifyingUserStore: UserStore {
    let inner: any UserStore
    let watcher: RevocationWatcher

    public init(_ inner: any UserStore, watcher: RevocationWatcher) {
        self.inner = inner
        self.watcher = watcher
    }

    public func insert(_ user: User) async throws { try await inner.insert(user) }
    public func find(username: String) async throws -> User? { try await inner.find(username: username) }
    public func list() async throws -> [User] { try await inner.list() }
    public func count() async throws -> Int { try await inner.count() }

    public func update(_ user: User) async throws -> Bool {
        let found = try await inner.update(user)
        if user.disabled { await watcher.catchUp() }
        return found
    }
}
