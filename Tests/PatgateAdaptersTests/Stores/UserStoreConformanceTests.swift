import Testing
@testable import PatgateAdapters
import PatgateCore

/// The `UserStore` contract on every backend that has one (`StoreBackend.available`).
@Suite struct UserStoreConformanceTests {
    static func user(_ name: String, role: User.Role = .user) -> User {
        User(username: name, displayName: "User \(name)", role: role,
             passwordHash: "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234", createdAt: 1_000)
    }

    @Test(arguments: StoreBackend.available)
    func insertFindListCountAndUpdate(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let users = stores.users
            #expect(try await users.count() == 0)
            #expect(try await users.find(username: "alice") == nil)
            try await users.insert(Self.user("bob"))
            try await users.insert(Self.user("alice", role: .admin))
            #expect(try await users.count() == 2)
            #expect(try await users.list().map(\.username) == ["alice", "bob"])
            #expect(try await users.find(username: "alice") == Self.user("alice", role: .admin))

            var changed = Self.user("bob")
            changed.displayName = "Robert"
            changed.role = .admin
            changed.disabled = true
            changed.passwordHash = "$2b$12$other"
            changed.createdAt = 9_999   // not updated: creation time is fixed
            #expect(try await users.update(changed))
            var expected = changed
            expected.createdAt = 1_000
            #expect(try await users.find(username: "bob") == expected)
            #expect(try await !users.update(Self.user("nobody")))
            #expect(try await users.count() == 2)
        }
    }

    @Test(arguments: StoreBackend.available)
    func duplicateUsernamesAreRefused(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let users = stores.users
            try await users.insert(Self.user("alice"))
            await #expect(throws: UserError.self) { try await users.insert(Self.user("alice", role: .admin)) }
            #expect(try await users.find(username: "alice")?.role == .user)
        }
    }

    @Test(arguments: StoreBackend.available)
    func concurrentInsertsOfOneUsernameLetExactlyOneWin(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let users = stores.users
            let wins = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask { (try? await users.insert(Self.user("carol"))) == nil ? 0 : 1 }
                }
                return await group.reduce(0, +)
            }
            #expect(wins == 1)
            #expect(try await users.count() == 1)
        }
    }

    @Test(arguments: StoreBackend.available)
    func hostileStringsRoundTrip(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let users = stores.users
            for (index, text) in ["o'brien; DROP TABLE users; --", "\"x\" \\ $1 ?", "Zoë 🙂 用户"].enumerated() {
                var user = Self.user(text)
                user.displayName = text
                user.passwordHash = text
                user.createdAt = Int64(index)
                try await users.insert(user)
                #expect(try await users.find(username: text) == user)
            }
            #expect(try await users.count() == 3)
        }
    }
}
