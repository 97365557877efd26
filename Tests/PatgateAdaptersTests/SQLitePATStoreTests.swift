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
}
