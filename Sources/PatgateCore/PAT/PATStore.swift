/// Persistence of PATs (a port: SQLite and PostgreSQL implement it).
///
/// An acknowledged write is durable (invariant 5 in docs/ARCHITECTURE.md). Times are seconds since the epoch.
public protocol PATStore: Sendable {
    /// Stores a new token with the keyed hash of its value; a live (not revoked, not expired
    /// at `token.createdAt`) token of the same owner and name makes it throw `PATError(.duplicateName)`.
    func insert(_ token: PersonalAccessToken, valueHash: [UInt8]) async throws
    func find(valueHash: [UInt8]) async throws -> PersonalAccessToken?
    func find(id: String) async throws -> PersonalAccessToken?
    /// The token with this hash and whether its owner's account is disabled, in one read: what
    /// every introspection asks. An owner that no longer exists counts as not disabled.
    func findWithOwner(valueHash: [UInt8]) async throws -> (token: PersonalAccessToken, ownerDisabled: Bool)?
    /// All tokens of one owner, oldest first (the CLI's view).
    func list(owner: String) async throws -> [PersonalAccessToken]
    /// One page of tokens, newest first; `owner == nil` means every owner (admin view).
    func page(_ query: PATQuery) async throws -> PATPage
    /// Sets `revokedAt` if not yet set; `false` when no token has that id.
    func revoke(id: String, at time: Int64) async throws -> Bool
    /// Revokes `oldID` and inserts `replacement` in one transaction; throws
    /// `PATError(.notFound)` if `oldID` is unknown or no longer active at `time`.
    func rotate(oldID: String, replacement: PersonalAccessToken, valueHash: [UInt8], at time: Int64) async throws
    /// Records uses in one transaction (an unknown id is skipped); callers throttle, so this
    /// is not a write per exchange, and batch what arrives while a write runs.
    func markUsed(_ uses: [PATUse]) async throws
    /// A cheap query that proves the store answers.
    func ping() async throws
}

/// One use of a PAT: `last_used_at` and `last_used_address`.
public struct PATUse: Sendable, Equatable {
    public var id: String
    public var time: Int64
    public var address: String?

    public init(id: String, time: Int64, address: String?) {
        self.id = id
        self.time = time
        self.address = address
    }
}

/// Which tokens `PATStore.page` returns.
public struct PATQuery: Sendable, Equatable {
    public var owner: String?
    public var state: PersonalAccessToken.State?
    /// Evaluates `state` at this time.
    public var now: Int64
    public var limit: Int
    /// The opaque `nextCursor` of the previous page.
    public var cursor: String?

    public init(owner: String?, state: PersonalAccessToken.State? = nil, now: Int64, limit: Int = 50, cursor: String? = nil) {
        self.owner = owner
        self.state = state
        self.now = now
        self.limit = limit
        self.cursor = cursor
    }
}

public struct PATPage: Sendable, Equatable {
    public var items: [PersonalAccessToken]
    /// `nil` on the last page.
    public var nextCursor: String?

    public init(items: [PersonalAccessToken], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
