import Testing
@testable import PatgateAdapters
import PatgateCore

/// The `SessionStore` contract on every backend that has one (`StoreBackend.available`).
@Suite struct SessionStoreConformanceTests {
    static func session(_ byte: UInt8, user: String = "alice", created: Int64 = 1_000, seen: Int64 = 1_000) -> Session {
        Session(idHash: Array(repeating: byte, count: 32), username: user, csrfToken: "csrf-\(byte)",
                createdAt: created, lastSeenAt: seen, address: "192.0.2.\(byte)")
    }

    @Test(arguments: StoreBackend.available)
    func insertFindTouchAndDelete(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let sessions = stores.sessions
            let first = Self.session(1)
            try await sessions.insert(first)
            var noAddress = Self.session(2)
            noAddress.address = nil
            try await sessions.insert(noAddress)
            #expect(try await sessions.find(idHash: first.idHash) == first)
            #expect(try await sessions.find(idHash: noAddress.idHash) == noAddress)
            #expect(try await sessions.find(idHash: [1]) == nil)

            try await sessions.touch(idHash: first.idHash, at: 1_500)
            #expect(try await sessions.find(idHash: first.idHash)?.lastSeenAt == 1_500)
            #expect(try await sessions.find(idHash: first.idHash)?.createdAt == 1_000)

            try await sessions.delete(idHash: first.idHash)
            #expect(try await sessions.find(idHash: first.idHash) == nil)
            try await sessions.delete(idHash: first.idHash)   // deleting twice is fine
            try await sessions.touch(idHash: first.idHash, at: 2_000)   // touching a gone one too
            #expect(try await sessions.find(idHash: first.idHash) == nil)
        }
    }

    @Test(arguments: StoreBackend.available)
    func purgeRemovesIdleAndTooOldSessions(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let sessions = stores.sessions
            let fresh = Self.session(1, created: 900, seen: 1_000)
            let idle = Self.session(2, created: 900, seen: 400)
            let old = Self.session(3, created: 100, seen: 1_000)
            for session in [fresh, idle, old] { try await sessions.insert(session) }
            #expect(try await sessions.purge(idleBefore: 500, createdBefore: 200) == 2)
            #expect(try await sessions.find(idHash: fresh.idHash) == fresh)
            #expect(try await sessions.find(idHash: idle.idHash) == nil)
            #expect(try await sessions.find(idHash: old.idHash) == nil)
            #expect(try await sessions.purge(idleBefore: 500, createdBefore: 200) == 0)
        }
    }

    @Test(arguments: StoreBackend.available)
    func hostileStringsAndBytesRoundTrip(_ backend: StoreBackend) async throws {
        try await backend.withStores { stores async throws in
            let sessions = stores.sessions
            let session = Session(idHash: [0x00, 0x27, 0x3B, 0x5C, 0xFF], username: "o'brien\"; --",
                                  csrfToken: "tok'en;\u{1F510}", createdAt: 1, lastSeenAt: 2, address: "::1'")
            try await sessions.insert(session)
            #expect(try await sessions.find(idHash: session.idHash) == session)
        }
    }
}
