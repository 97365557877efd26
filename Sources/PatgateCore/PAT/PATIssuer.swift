import OpenSSL

/// The built-in PAT issuer: creates, lists, revokes and introspects PATs.
///
/// The value of a new PAT is returned once, by `create`; the store only ever sees
/// `HMAC-SHA-256(hashKey, value)` (invariant 1 in docs/ARCHITECTURE.md).
public struct PATIssuer: Sendable {
    public let store: any PATStore
    /// The owners: a PAT is made only for an existing, enabled user.
    public let users: any UserStore
    public let format: PATFormat
    /// Scopes a PAT may carry.
    public let scopeCatalogue: [String]
    /// Set up once (`HMACKey`); wiped from memory when the last copy of the issuer is released.
    private let hashKey: HMACKey
    private let now: @Sendable () -> Int64

    public init(store: any PATStore, users: any UserStore, format: PATFormat, hashKey: SecretBytes, scopeCatalogue: [String],
                now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.store = store
        self.users = users
        self.format = format
        self.hashKey = HMACKey(hashKey)
        self.scopeCatalogue = scopeCatalogue
        self.now = now
    }

    /// The scope that lets a PAT (or a JWT minted from it) manage tokens through the API.
    public static let managementScope = "tokens"

    /// A new PAT and its value (shown once). Scopes default to the whole catalogue except
    /// `tokens`, which is only granted when asked for (least privilege for a leaked PAT).
    /// `owner` must be an existing, enabled user (`invalidOwner` otherwise); the CLI and the
    /// management API both come through here.
    public func create(owner: String, name: String, scopes: [String]?, expiresIn: Int64?) async throws -> (token: PersonalAccessToken, value: String) {
        guard let trimmed = DisplayText.checked(name) else {
            throw PATError(.invalidName, "a token name of 1 to 100 characters and no control characters is required")
        }
        guard !owner.isEmpty else { throw PATError(.invalidName, "an owner is required") }
        let scopes = scopes ?? scopeCatalogue.filter { $0 != Self.managementScope }
        for scope in scopes where !scopeCatalogue.contains(scope) {
            throw PATError(.invalidScope, "unknown scope '\(scope)'; allowed: \(scopeCatalogue.joined(separator: " "))")
        }
        if let expiresIn, expiresIn <= 0 {
            throw PATError(.invalidExpiry, "the expiry must be in the future")
        }
        try await checkOwner(owner)
        let created = now()
        let token = PersonalAccessToken(
            id: try Self.newID(), owner: owner, name: trimmed, scopes: scopes, createdAt: created,
            expiresAt: expiresIn.map { created + $0 })
        let value = try format.generate()
        try await store.insert(token, valueHash: hash(value))
        return (token, value)
    }

    public func list(owner: String) async throws -> [PersonalAccessToken] {
        try await store.list(owner: owner)
    }

    /// Revokes by id; revoking twice is fine, an unknown id is `notFound`.
    public func revoke(id: String) async throws {
        guard try await store.revoke(id: id, at: now()) else {
            throw PATError(.notFound, "no token with that id")
        }
    }

    /// RFC 7662 view of a PAT value: `nil` for unknown, malformed, expired or revoked.
    public func introspect(_ value: String) async throws -> PersonalAccessToken? {
        guard format.isWellFormed(value), let token = try await store.find(valueHash: hash(value)) else { return nil }
        return activeNow(token)
    }

    /// What `/introspect` answers for a PAT value: the token when it is active and its owner is
    /// not disabled, from one store read.
    public func introspectWithOwner(_ value: String) async throws -> PersonalAccessToken? {
        guard format.isWellFormed(value),
              let (token, ownerDisabled) = try await store.findWithOwner(valueHash: hash(value)),
              !ownerDisabled
        else { return nil }
        return activeNow(token)
    }

    private func activeNow(_ token: PersonalAccessToken) -> PersonalAccessToken? {
        token.state(at: now()) == .active ? token : nil
    }

    private func checkOwner(_ owner: String) async throws {
        guard let user = try await users.find(username: owner) else {
            throw PATError(.invalidOwner, "there is no user '\(owner)'; PATs are made only for existing users (add the user first)")
        }
        guard !user.disabled else {
            throw PATError(.invalidOwner, "the user '\(owner)' is disabled; PATs are made only for enabled users")
        }
    }

    /// The issuer's clock (seconds since the epoch).
    public func currentTime() -> Int64 { now() }

    func hash(_ value: String) -> [UInt8] {
        hashKey.mac(value.utf8)
    }

    /// 96 random bits, base62-free hex for easy copying in a terminal.
    static func newID() throws -> String {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in try SecureRandom.bytes(12) {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
