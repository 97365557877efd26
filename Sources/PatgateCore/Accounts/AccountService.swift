
/// Local accounts: adding, changing and listing users, and logging in. Passwords are only
/// ever handed to the `PasswordHasher`; they are never stored, logged or audited.
public struct AccountService: Sendable {
    public let users: any UserStore
    public let throttle: any LoginThrottling
    let hasher: any PasswordHasher
    let audit: any AuditLog
    let now: @Sendable () -> Int64

    public init(users: any UserStore, hasher: any PasswordHasher, throttle: any LoginThrottling, audit: any AuditLog,
                now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.users = users
        self.hasher = hasher
        self.throttle = throttle
        self.audit = audit
        self.now = now
    }

    /// The account `principal` logs in with, if `password` is right, it exists and is enabled.
    /// Unknown users cost a dummy verify, so timing does not reveal which names exist.
    public func login(username: String, password: String, address: String?) async throws -> User {
        // At most 65 characters reach the throttle and the audit log (one more than a valid
        // username, so a cut name never matches a real account).
        let name = String(username.lowercased().prefix(65))
        if let wait = try await throttle.retryAfter(account: name, address: address) {
            record(.loginThrottled, actor: name, address: address, detail: "retry after \(wait) s")
            throw LoginError.throttled(retryAfter: wait)
        }
        let user = Self.isValidUsername(name) ? try await users.find(username: name) : nil
        let matches = try await hasher.verify(password, hash: user?.passwordHash)
        guard let user, matches, !user.disabled else {
            try await throttle.recordFailure(account: name, address: address)
            record(.loginFailed, actor: name, address: address, detail: user?.disabled == true && matches ? "disabled" : nil)
            throw LoginError.invalidCredentials
        }
        try await throttle.recordSuccess(account: name)
        record(.loginSucceeded, actor: name, address: address)
        return user
    }

    /// Adds an account. `password == nil` generates one, returned once in the result.
    public func add(username: String, displayName: String?, role: User.Role, password: String?,
                    by actor: Principal) async throws -> (user: User, generatedPassword: String?) {
        let name = username.lowercased()
        guard Self.isValidUsername(name) else {
            throw UserError(.invalid, "a username is 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")
        }
        let display = try Self.checkedDisplayName(displayName ?? name)
        let generated = password == nil ? try Self.generatePassword() : nil
        let secret = try Self.checkedPassword(password ?? generated ?? "")
        let user = User(username: name, displayName: display, role: role, passwordHash: try await hasher.hash(secret), createdAt: now())
        try await users.insert(user)
        record(.userAdded, actor: actor.username, target: name, address: actor.address, detail: "role=\(role.rawValue)")
        return (user, generated)
    }

    /// Sets a new password; `password == nil` generates one and returns it.
    @discardableResult
    public func setPassword(username: String, password: String?, by actor: Principal) async throws -> String? {
        var user = try await existing(username)
        let generated = password == nil ? try Self.generatePassword() : nil
        user.passwordHash = try await hasher.hash(try Self.checkedPassword(password ?? generated ?? ""))
        _ = try await users.update(user)
        record(.userPasswordChanged, actor: actor.username, target: user.username, address: actor.address)
        return generated
    }

    /// Changes what is given; refuses to leave the system without an enabled administrator.
    public func update(username: String, displayName: String?, role: User.Role?, disabled: Bool?,
                       by actor: Principal) async throws -> User {
        let original = try await existing(username)
        var user = original
        var changes: [String] = []
        if let displayName { user.displayName = try Self.checkedDisplayName(displayName); changes.append("display_name") }
        if let role { user.role = role; changes.append("role=\(role.rawValue)") }
        if let disabled { user.disabled = disabled; changes.append("disabled=\(disabled)") }
        if original.role == .admin, !original.disabled, user.role != .admin || user.disabled {
            let others = try await users.list().filter { $0.role == .admin && !$0.disabled && $0.username != user.username }
            if others.isEmpty {
                throw UserError(.lastAdministrator, "'\(user.username)' is the last enabled administrator; add or enable another first")
            }
        }
        guard try await users.update(user) else { throw UserError(.notFound, "no user named '\(username)'") }
        record(.userChanged, actor: actor.username, target: user.username, address: actor.address, detail: changes.joined(separator: " "))
        return user
    }

    public func list() async throws -> [User] {
        try await users.list()
    }

    /// Creates `admin` with a generated password if there is no user at all; returns that password.
    public func ensureInitialAdmin() async throws -> String? {
        guard try await users.count() == 0 else { return nil }
        let system = Principal(username: "system", role: .admin, method: .cli, address: nil)
        return try await add(username: "admin", displayName: "Administrator", role: .admin, password: nil, by: system).generatedPassword
    }

    func existing(_ username: String) async throws -> User {
        guard let user = try await users.find(username: username.lowercased()) else {
            throw UserError(.notFound, "no user named '\(username)'")
        }
        return user
    }

    func record(_ kind: AuditEvent.Kind, actor: String, target: String? = nil, address: String?, detail: String? = nil) {
        audit.record(AuditEvent(time: now(), kind: kind, actor: actor, target: target, address: address, detail: detail))
    }
}
