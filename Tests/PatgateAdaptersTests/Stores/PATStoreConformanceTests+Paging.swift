import Testing
@testable import PatgateAdapters
import PatgateCore

/// Paging and rotation, on every backend.
extension PATStoreConformanceTests {
    @Test(arguments: StoreBackend.available)
    func pagesAreNewestFirstWithAStateFilterAndACursor(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let store = stores.pats
            for index in 0..<7 {
                var item = token("t\(index)", name: "n\(index)")
                item.createdAt = 100 + Int64(index)
                item.expiresAt = index == 6 ? 150 : nil
                try await store.insert(item, valueHash: [UInt8(index)])
            }
            _ = try await store.revoke(id: "t5", at: 120)
            try await store.insert(token("bob1", owner: "bob"), valueHash: [99])

            let first = try await store.page(PATQuery(owner: "alice", state: .active, now: 200, limit: 2))
            #expect(first.items.map(\.id) == ["t4", "t3"])
            let second = try await store.page(PATQuery(owner: "alice", state: .active, now: 200, limit: 2, cursor: first.nextCursor))
            #expect(second.items.map(\.id) == ["t2", "t1"])
            let third = try await store.page(PATQuery(owner: "alice", state: .active, now: 200, limit: 2, cursor: second.nextCursor))
            #expect(third.items.map(\.id) == ["t0"])
            #expect(third.nextCursor == nil)
            #expect(try await store.page(PATQuery(owner: "alice", state: .expired, now: 200)).items.map(\.id) == ["t6"])
            #expect(try await store.page(PATQuery(owner: "alice", state: .revoked, now: 200)).items.map(\.id) == ["t5"])
            #expect(try await store.page(PATQuery(owner: nil, now: 200, limit: 100)).items.count == 8)
            #expect(try await store.page(PATQuery(owner: nil, state: .active, now: 105)).items.map(\.id)
                    == ["t6", "t4", "t3", "t2", "t1", "t0", "bob1"])
        }
    }

    @Test(arguments: StoreBackend.available)
    func tiesOnCreationTimeAreOrderedByIdBytes(_ backend: StoreBackend) async throws {
        // Both stores order ids by their bytes (SQLite's BINARY; PostgreSQL's COLLATE "C").
        try await backend.withStores { stores async throws in
            for (index, id) in ["B", "a", "_", "Z", "b"].enumerated() {
                try await stores.pats.insert(token(id, name: id), valueHash: [UInt8(index)])
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await stores.pats.page(PATQuery(owner: "alice", now: 200, limit: 2, cursor: cursor))
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == ["b", "a", "_", "Z", "B"])
        }
    }

    @Test(arguments: StoreBackend.available)
    func rotationRevokesTheOldAndInsertsTheNewAtomically(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let store = stores.pats
            try await store.insert(token("old", name: "ci"), valueHash: [1])
            try await store.rotate(oldID: "old", replacement: token("new", name: "ci"), valueHash: [2], at: 300)
            #expect(try await store.find(id: "old")?.revokedAt == 300)
            #expect(try await store.find(valueHash: [2])?.id == "new")
            await #expect(throws: PATError.self) {
                try await store.rotate(oldID: "old", replacement: token("newer", name: "ci"), valueHash: [3], at: 301)
            }
            #expect(try await store.find(id: "newer") == nil)
            // Another owner cannot rotate alice's token.
            await #expect(throws: PATError.self) {
                try await store.rotate(oldID: "new", replacement: token("stolen", name: "ci", owner: "mallory"), valueHash: [4], at: 302)
            }
            #expect(try await store.find(id: "new")?.revokedAt == nil)
            // A failing insert (the value hash is taken) leaves the old token live.
            await #expect(throws: (any Error).self) {
                try await store.rotate(oldID: "new", replacement: token("clash", name: "ci"), valueHash: [1], at: 303)
            }
            #expect(try await store.find(id: "new")?.revokedAt == nil)
        }
    }
}
