import Synchronization
@testable import PatgateCore

/// An in-memory UserStore for unit tests (the SQL stores have their conformance tests).
final class MemoryUserStore: UserStore {
    let users = Mutex<[User]>([])

    /// A store holding enabled users `names` (and `disabled`, disabled).
    init(_ names: [String] = [], disabled: [String] = []) {
        users.withLock { users in
            for name in names + disabled {
                users.append(User(username: name, displayName: name, role: .user, disabled: disabled.contains(name),
                                  passwordHash: "!", createdAt: 0))
            }
        }
    }

    func insert(_ user: User) async throws {
        try users.withLock { users in
            if users.contains(where: { $0.username == user.username }) { throw UserError(.duplicate, "duplicate") }
            users.append(user)
        }
    }
    func find(username: String) async throws -> User? { users.withLock { $0.first { $0.username == username } } }
    func list() async throws -> [User] { users.withLock { $0 } }
    func update(_ user: User) async throws -> Bool {
        users.withLock { users in
            guard let index = users.firstIndex(where: { $0.username == user.username }) else { return false }
            users[index] = user
            return true
        }
    }
    func count() async throws -> Int { users.withLock { $0.count } }
}
