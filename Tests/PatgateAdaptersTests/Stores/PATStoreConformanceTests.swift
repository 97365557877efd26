import Testing
@testable import PatgateAdapters
import PatgateCore

/// The `PATStore` contract, the same tests on every backend (`StoreBackend.available`).
@Suite struct PATStoreConformanceTests {
    static func token(_ id: String, name: String = "n", owner: String = "alice", expiresAt: Int64? = nil) -> PersonalAccessToken {
        PersonalAccessToken(id: id, owner: owner, name: name, scopes: ["openid", "profile"], createdAt: 100, expiresAt: expiresAt)
    }

    func token(_ id: String, name: String = "n", owner: String = "alice", expiresAt: Int64? = nil) -> PersonalAccessToken {
        Self.token(id, name: name, owner: owner, expiresAt: expiresAt)
    }

    @Test(arguments: StoreBackend.available)
    func writesSurviveReopening(_ backend: StoreBackend) async throws {
        try await backend.withFreshStorage { open in
            let first = try await open()
            try await first.withRunning { () async throws in
                try await first.pats.insert(token("t1"), valueHash: [1, 2, 3])
                #expect(try await first.pats.revoke(id: "t1", at: 200))
            }

            let reopened = try await open()   // migrations run again: nothing to do
            try await reopened.withRunning { () async throws in
                let found = try #require(try await reopened.pats.find(valueHash: [1, 2, 3]))
                #expect(found.id == "t1")
                #expect(found.scopes == ["openid", "profile"])
                #expect(found.revokedAt == 200)
                #expect(try await reopened.pats.find(id: "t1") == found)
                try await reopened.pats.insert(token("t2", name: "second"), valueHash: [4])
            }
        }
    }

    @Test(arguments: StoreBackend.available)
    func namesAreUniqueAmongLiveTokensOnly(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let store = stores.pats
            try await store.insert(token("a", name: "ci"), valueHash: [1])
            await #expect(throws: PATError(.duplicateName, "a live token named 'ci' already exists")) {
                try await store.insert(token("b", name: "ci"), valueHash: [2])
            }
            try await store.insert(token("c", name: "ci", owner: "bob"), valueHash: [3])
            #expect(try await store.revoke(id: "a", at: 150))
            try await store.insert(token("d", name: "ci"), valueHash: [4])
            try await store.insert(token("e", name: "old", expiresAt: 50), valueHash: [5])
            try await store.insert(token("f", name: "old"), valueHash: [6])   // "old" e expired at 50
            #expect(try await store.list(owner: "alice").map(\.id) == ["a", "d", "e", "f"])
        }
    }

    @Test(arguments: StoreBackend.available)
    func concurrentInsertsOfOneNameLetExactlyOneWin(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let store = stores.pats
            let outcomes = await Self.insertConcurrently(20, into: store)
            #expect(outcomes.filter { $0 }.count == 1)
            let stored = try await store.list(owner: "alice")
            #expect(stored.count == 1)
        }
    }

    @Test(arguments: StoreBackend.available)
    func introspectionReadsATokenAndItsOwnersStateAtOnce(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            var alice = User(username: "alice", displayName: "Alice", role: .user, passwordHash: "h", createdAt: 10)
            try await stores.users.insert(alice)
            try await stores.pats.insert(token("a"), valueHash: [1])
            try await stores.pats.insert(token("gone", owner: "nobody"), valueHash: [2])

            let found = try #require(try await stores.pats.findWithOwner(valueHash: [1]))
            #expect(found.token == (try await stores.pats.find(id: "a")))
            #expect(!found.ownerDisabled)
            alice.disabled = true
            #expect(try await stores.users.update(alice))
            #expect(try await stores.pats.findWithOwner(valueHash: [1])?.ownerDisabled == true)
            // An owner that no longer exists is not a disabled one (as `UserStore.find` → nil).
            #expect(try await stores.pats.findWithOwner(valueHash: [2])?.ownerDisabled == false)
            #expect(try await stores.pats.findWithOwner(valueHash: [9]) == nil)
        }
    }

    @Test(arguments: StoreBackend.available)
    func revokeIsIdempotentAndKeepsTheFirstTime(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let store = stores.pats
            try await store.insert(token("a"), valueHash: [1])
            #expect(try await store.revoke(id: "a", at: 150))
            #expect(try await store.revoke(id: "a", at: 300))
            #expect(try await store.find(id: "a")?.revokedAt == 150)
            #expect(try await !store.revoke(id: "missing", at: 1))
            #expect(try await store.find(id: "missing") == nil)
            #expect(try await store.find(valueHash: [9, 9]) == nil)
            try await store.ping()
        }
    }

    @Test(arguments: StoreBackend.available)
    func hostileStringsRoundTrip(_ backend: StoreBackend) async throws {
        let hostile = ["'; DROP TABLE personal_access_token; --", "\"quoted\" \\ back\\slash", "Grüße 🔐 名前",
                       "$1 $2 ? :name %s", "line\nbreak\ttab"]
        try await backend.withStores { stores async throws in
            for (index, text) in hostile.enumerated() {
                var item = token("id-\(index)-\(text)", name: text, owner: text)
                item.scopes = ["openid", "scope:\(index)"]
                try await stores.pats.insert(item, valueHash: [UInt8(index), 0x27, 0x3B, 0x00])
                try await stores.pats.markUsed([PATUse(id: item.id, time: 500, address: text)])
                item.lastUsedAt = 500
                item.lastUsedAddress = text
                #expect(try await stores.pats.find(id: item.id) == item)
                #expect(try await stores.pats.find(valueHash: [UInt8(index), 0x27, 0x3B, 0x00]) == item)
                #expect(try await stores.pats.list(owner: text) == [item])
                #expect(try await stores.pats.page(PATQuery(owner: text, now: 200)).items == [item])
            }
            #expect(try await stores.pats.page(PATQuery(owner: nil, now: 200, limit: 100)).items.count == hostile.count)
        }
    }

    @Test(arguments: StoreBackend.available)
    func markUsedRecordsTimeAndAddress(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            try await stores.pats.insert(token("a"), valueHash: [1])
            try await stores.pats.insert(token("b", name: "other"), valueHash: [2])
            try await stores.pats.markUsed([PATUse(id: "a", time: 500, address: "192.0.2.7")])
            let found = try await stores.pats.find(id: "a")
            #expect(found?.lastUsedAt == 500)
            #expect(found?.lastUsedAddress == "192.0.2.7")
            // A batch: every use in one transaction, an unknown id skipped without an error.
            try await stores.pats.markUsed([PATUse(id: "a", time: 600, address: nil), PATUse(id: "missing", time: 600, address: nil),
                                            PATUse(id: "b", time: 700, address: "2001:db8::1")])
            #expect(try await stores.pats.find(id: "a")?.lastUsedAddress == nil)
            #expect(try await stores.pats.find(id: "a")?.lastUsedAt == 600)
            #expect(try await stores.pats.find(id: "b")?.lastUsedAddress == "2001:db8::1")
            try await stores.pats.markUsed([])
        }
    }

    /// A batch as large as the usage writer's under load (`UsageQueue`, up to 5,000): every
    /// use lands with its own time and address, a missing address as none.
    @Test(arguments: StoreBackend.available)
    func markUsedWritesALargeBatch(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let count = 1_000
            try await Self.insert((0..<count).map { "use\($0)" }, owner: "batch", tag: 0xB0, into: stores.pats)
            try await stores.pats.markUsed((0..<count).map {
                PATUse(id: "use\($0)", time: 1_000 + Int64($0), address: $0.isMultiple(of: 2) ? "192.0.2.\($0 % 250)" : nil)
            })
            let used = Dictionary(uniqueKeysWithValues: try await stores.pats.list(owner: "batch").map { ($0.id, $0) })
            #expect(used.count == count)
            for index in 0..<count {
                #expect(used["use\(index)"]?.lastUsedAt == 1_000 + Int64(index))
                #expect(used["use\(index)"]?.lastUsedAddress == (index.isMultiple(of: 2) ? "192.0.2.\(index % 250)" : nil))
            }
        }
    }

    /// Two replicas' batches of the same PATs, in opposite orders, at once: both are written,
    /// neither is chosen as a deadlock's victim (PostgreSQL locks the rows in one order).
    @Test(arguments: StoreBackend.available)
    func concurrentBatchesOfTheSamePATsBothLand(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let ids = (0..<200).map { "shared\($0)" }
            try await Self.insert(ids, owner: "fleet", tag: 0xC0, into: stores.pats)
            let store = stores.pats
            for round in 0..<10 {
                let time = Int64(2_000 + round)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await store.markUsed(ids.map { PATUse(id: $0, time: time, address: "192.0.2.1") }) }
                    group.addTask { try await store.markUsed(ids.reversed().map { PATUse(id: $0, time: time, address: "192.0.2.1") }) }
                    try await group.waitForAll()
                }
            }
            #expect(try await store.list(owner: "fleet").allSatisfy { $0.lastUsedAt == 2_009 })
        }
    }

    /// Inserts a token per id (named after it), each with a value hash of its own: `tag`, then
    /// its position in `ids`.
    static func insert(_ ids: [String], owner: String, tag: UInt8, into store: any PATStore) async throws {
        for (index, id) in ids.enumerated() {
            try await store.insert(token(id, name: id, owner: owner), valueHash: [tag, UInt8(index % 256), UInt8(index / 256)])
        }
    }

    /// Inserts `count` tokens named "deploy" at once; `true` for each that was stored (or
    /// failed for another reason than the name: that counts as a wrong winner too).
    static func insertConcurrently(_ count: Int, into store: any PATStore) async -> [Bool] {
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    do {
                        try await store.insert(token("race\(index)", name: "deploy"), valueHash: [0xEE, UInt8(index)])
                        return true
                    } catch let error as PATError {
                        return error.code != .duplicateName
                    } catch {
                        return true
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
    }
}
