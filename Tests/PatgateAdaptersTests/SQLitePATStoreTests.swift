import Foundation
import Testing
@testable import PatgateAdapters
import PatgateCore

@Suite struct SQLitePATStoreTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("patgate-\(UUID().uuidString).sqlite").path

    func token(_ id: String, name: String = "n", owner: String = "alice", expiresAt: Int64? = nil) -> PersonalAccessToken {
        PersonalAccessToken(id: id, owner: owner, name: name, scopes: ["openid", "profile"], createdAt: 100, expiresAt: expiresAt)
    }

    @Test func writesSurviveReopeningTheFile() async throws {
        do {
            let store = try SQLitePATStore(path: path)
            try await store.insert(token("t1"), valueHash: [1, 2, 3])
            #expect(try await store.revoke(id: "t1", at: 200))
        }
        let reopened = try SQLitePATStore(path: path)
        let found = try #require(try await reopened.find(valueHash: [1, 2, 3]))
        #expect(found.id == "t1")
        #expect(found.scopes == ["openid", "profile"])
        #expect(found.revokedAt == 200)
        #expect(try await reopened.find(id: "t1") == found)
    }

    @Test func namesAreUniqueAmongLiveTokensOnly() async throws {
        let store = try SQLitePATStore(path: path)
        try await store.insert(token("a", name: "ci"), valueHash: [1])
        await #expect(throws: PATError.self) { try await store.insert(token("b", name: "ci"), valueHash: [2]) }
        try await store.insert(token("c", name: "ci", owner: "bob"), valueHash: [3])
        #expect(try await store.revoke(id: "a", at: 150))
        try await store.insert(token("d", name: "ci"), valueHash: [4])
        try await store.insert(token("e", name: "old", expiresAt: 50), valueHash: [5])
        try await store.insert(token("f", name: "old"), valueHash: [6])   // "old" e expired at 50
        #expect(try await store.list(owner: "alice").map(\.id).sorted() == ["a", "d", "e", "f"])
    }

    @Test func revokeIsIdempotentAndKeepsTheFirstTime() async throws {
        let store = try SQLitePATStore(path: path)
        try await store.insert(token("a"), valueHash: [1])
        #expect(try await store.revoke(id: "a", at: 150))
        #expect(try await store.revoke(id: "a", at: 300))
        #expect(try await store.find(id: "a")?.revokedAt == 150)
        #expect(try await !store.revoke(id: "missing", at: 1))
        try await store.ping()
    }

    @Test func pagesAreNewestFirstWithAStateFilterAndACursor() async throws {
        let store = try SQLitePATStore(path: path)
        for index in 0..<7 {
            var item = token("t\(index)", name: "n\(index)")
            item.createdAt = 100 + Int64(index)
            item.expiresAt = index == 6 ? 150 : nil
            try await store.insert(item, valueHash: [UInt8(index)])
        }
        _ = try await store.revoke(id: "t5", at: 120)
        _ = try await store.insert(token("bob1", owner: "bob"), valueHash: [99])

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
    }

    @Test func rotationRevokesTheOldAndInsertsTheNewAtomically() async throws {
        let store = try SQLitePATStore(path: path)
        try await store.insert(token("old", name: "ci"), valueHash: [1])
        try await store.rotate(oldID: "old", replacement: token("new", name: "ci"), valueHash: [2], at: 300)
        #expect(try await store.find(id: "old")?.revokedAt == 300)
        #expect(try await store.find(valueHash: [2])?.id == "new")
        await #expect(throws: PATError.self) {
            try await store.rotate(oldID: "old", replacement: token("newer", name: "ci"), valueHash: [3], at: 301)
        }
        #expect(try await store.find(id: "newer") == nil)
    }

    @Test func markUsedRecordsTimeAndAddress() async throws {
        let store = try SQLitePATStore(path: path)
        try await store.insert(token("a"), valueHash: [1])
        try await store.markUsed(id: "a", at: 500, address: "192.0.2.7")
        let found = try await store.find(id: "a")
        #expect(found?.lastUsedAt == 500)
        #expect(found?.lastUsedAddress == "192.0.2.7")
    }
}
