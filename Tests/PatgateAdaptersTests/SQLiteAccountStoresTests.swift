import Foundation
import Logging
import PatgateTestSupport
import NIOCore
import NIOPosix
import Testing
import PatgateAdapters
import PatgateCore

@Suite struct SQLiteAccountStoresTests {
    let path = TemporaryPath.path("patgate") + ".sqlite"

    @Test func usersInsertFindUpdateListAndCount() async throws {
        let database = try SQLiteDatabase(path: path)
        let users = SQLiteUserStore(database: database)
        #expect(try await users.count() == 0)
        let alice = User(username: "alice", displayName: "Alice", role: .user, passwordHash: "$2b$04$x", createdAt: 10)
        try await users.insert(alice)
        try await users.insert(User(username: "admin", displayName: "Admin", role: .admin, passwordHash: "h", createdAt: 11))
        await #expect(throws: UserError.self) { try await users.insert(alice) }
        #expect(try await users.find(username: "alice") == alice)
        #expect(try await users.find(username: "nobody") == nil)
        var changed = alice
        changed.disabled = true
        changed.role = .admin
        changed.displayName = "A."
        changed.passwordHash = "new"
        #expect(try await users.update(changed))
        #expect(try await !users.update(User(username: "ghost", displayName: "g", role: .user, passwordHash: "h", createdAt: 0)))
        // Reopening the file (and re-running migrations) keeps everything.
        let reopened = SQLiteUserStore(database: try SQLiteDatabase(path: path))
        #expect(try await reopened.list().map(\.username) == ["admin", "alice"])
        #expect(try await reopened.find(username: "alice") == changed)
        #expect(try await reopened.count() == 2)
    }

    @Test func sessionsAreFoundByHashTouchedDeletedAndPurged() async throws {
        let database = try SQLiteDatabase(path: path)
        let sessions = SQLiteSessionStore(database: database)
        let one = Session(idHash: [1, 2, 3], username: "alice", csrfToken: "c1", createdAt: 100, lastSeenAt: 100, address: "127.0.0.1")
        let two = Session(idHash: [4, 5, 6], username: "bob", csrfToken: "c2", createdAt: 100, lastSeenAt: 100, address: nil)
        try await sessions.insert(one)
        try await sessions.insert(two)
        #expect(try await sessions.find(idHash: [1, 2, 3]) == one)
        #expect(try await sessions.find(idHash: [9]) == nil)
        try await sessions.touch(idHash: [1, 2, 3], at: 150)
        #expect(try await sessions.find(idHash: [1, 2, 3])?.lastSeenAt == 150)
        try await sessions.touch(idHash: [1, 2, 3], at: 120)   // never moves backwards
        #expect(try await sessions.find(idHash: [1, 2, 3])?.lastSeenAt == 150)
        #expect(try await sessions.purge(idleBefore: 120, createdBefore: 0) == 1)   // bob idle since 100
        #expect(try await sessions.find(idHash: [4, 5, 6]) == nil)
        #expect(try await sessions.purge(idleBefore: 0, createdBefore: 101) == 1)   // alice too old
        try await sessions.insert(two)
        try await sessions.delete(idHash: [4, 5, 6])
        #expect(try await sessions.find(idHash: [4, 5, 6]) == nil)
    }

    @Test func theAuditLogAppendsOneLinePerEvent() throws {
        let file = path + ".audit.jsonl"
        let log = try JSONLinesAuditLog(path: file, logger: .init(label: "test"))
        log.record(AuditEvent(time: 0, kind: .userAdded, actor: "cli:root", target: "alice"))
        log.record(AuditEvent(time: 1, kind: .logout, actor: "alice", address: "::1"))
        log.flush()
        let again = try JSONLinesAuditLog(path: file, logger: .init(label: "test"))
        again.record(AuditEvent(time: 2, kind: .loginSucceeded, actor: "alice"))
        again.flush()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[2].contains(#""event":"login.succeeded""#))
        #expect(throws: AuditLogError.self) { try JSONLinesAuditLog(path: "/nonexistent/dir/a.jsonl", logger: .init(label: "t")) }
    }

    /// A log whose last reference goes while its write is still queued is released by that
    /// write, on the log's own queue: it writes what is left there and does not wait on itself
    /// (it used to, and dispatch stopped the process).
    @Test func aLogReleasedByItsOwnPendingWriteLosesNothing() throws {
        let file = path + ".released.jsonl"
        for index in 0..<200 {
            let log = try JSONLinesAuditLog(path: file, logger: .init(label: "test"))
            log.record(AuditEvent(time: Int64(index), kind: .logout, actor: "alice"))
        }
        let deadline = ContinuousClock.now + .seconds(5)
        var lines: [Substring] = []
        while ContinuousClock.now < deadline {
            lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            if lines.count == 200 { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(lines.count == 200)
    }

    /// Lines recorded on an event loop under load wait for a loop timer to join one write:
    /// none is lost or torn, those still waiting are written by `flush`, and the rest arrive
    /// without it within the coalescing window.
    @Test func linesCoalescedOnAnEventLoopAreAllWrittenWhole() async throws {
        let file = path + ".coalesced.jsonl"
        let log = try JSONLinesAuditLog(path: file, logger: .init(label: "test"))
        let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        func lines() throws -> [Substring] { try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") }
        for batch in 0..<2 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for loop in loops {
                    group.addTask {
                        try await loop.submit {
                            for index in 0..<500 {
                                log.record(AuditEvent(time: Int64(index), kind: .authzAllowed, actor: "alice", detail: "route=\(batch)"))
                            }
                        }.get()
                    }
                }
                try await group.waitForAll()
            }
            if batch == 0 {
                log.flush()   // writes what a timer still holds
                #expect(try lines().count == 500 * loops.count)
            }
        }
        try await Task.sleep(for: .milliseconds(200))   // the timers of the second batch, no flush
        let written = try lines()
        #expect(written.count == 1_000 * loops.count)
        #expect(written.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") })
    }

    /// The file holds password hashes, PAT HMACs and sessions: 0600, as are its -wal and -shm.
    @Test func theDatabaseFilesAreReadableByTheOwnerOnly() async throws {
        func mode(_ file: String) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        }
        let database = try SQLiteDatabase(path: path)
        try await SQLiteUserStore(database: database)
            .insert(User(username: "alice", displayName: "Alice", role: .user, passwordHash: "h", createdAt: 1))
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(try mode(file) == 0o600, "\(file)")
        }
        // A file an older version left 0644 is narrowed when opened.
        let old = TemporaryPath.path("patgate-old") + ".sqlite"
        FileManager.default.createFile(atPath: old, contents: nil, attributes: [.posixPermissions: 0o644])
        _ = try SQLiteDatabase(path: old)
        #expect(try mode(old) == 0o600)
    }
}
