import Foundation
import PatgateCore
import PatgateTestSupport
import PostgresNIO
import Synchronization
import Testing
@testable import PatgateAdapters

/// Revoking a PAT (or disabling its owner) drops the PostgreSQL logins issued from it, and only
/// those (invariant 7 in docs/ARCHITECTURE.md).
@Suite struct PostgresLoginOriginTests {
    @Test func theCommentCarriesThePATAndTheSubjectAndReadsBack() throws {
        let origin = PostgresLoginOrigin(patID: "0123abcd", subject: #"O'Brien "x"; --"#)
        #expect(origin.comment == #"patgate temporary login {"pat":"0123abcd","sub":"O'Brien \"x\"; --"}"#)
        #expect(PostgresLoginOrigin(comment: origin.comment) == origin)
        #expect(origin.isRevoked(tokenIDs: ["0123abcd"], users: []))
        #expect(origin.isRevoked(tokenIDs: [], users: [#"O'Brien "x"; --"#]))
        #expect(!origin.isRevoked(tokenIDs: ["other"], users: ["O'Brien"]))
        let anonymous = PostgresLoginOrigin(patID: nil, subject: "bob")
        #expect(PostgresLoginOrigin(comment: anonymous.comment) == anonymous)
        #expect(!anonymous.isRevoked(tokenIDs: [""], users: []))
    }

    @Test func commentsWithoutAnOriginNameNone() {
        for comment in ["patgate temporary login", "patgate temporary login {", "patgate temporary login []",
                        #"patgate temporary login {"pat":"a"}"#, #"someone else {"pat":"a","sub":"b"}"#] {
            #expect(PostgresLoginOrigin(comment: comment) == nil, "\(comment)")
        }
    }
}

@Suite(.enabled(if: PostgresLoginTestSupport.isConfigured, PostgresLoginTestSupport.skipNote))
struct PostgresLoginRevocationTests {
    typealias Support = PostgresLoginTestSupport

    func identity(_ user: String, pat: String?) -> SubjectIdentity {
        SubjectIdentity(subject: user, username: user, scopes: ["credentials"], tokenID: pat)
    }

    @Test func revokingAPATDropsItsLoginsEndsTheirSessionsAndNoOthers() async throws {
        let audit = CredentialBrokerPostgresTests.Audit()
        try await Support.withProvider(audit: audit) { provider, prefix in
            let (_, first) = try await Support.issue(provider, try Support.request(identity("alice", pat: "pat-a"), lifetime: 300))
            let (_, second) = try await Support.issue(provider, try Support.request(identity("alice", pat: "pat-a"), lifetime: 300))
            let (_, other) = try await Support.issue(provider, try Support.request(identity("alice", pat: "pat-b"), lifetime: 300))
            let (_, bob) = try await Support.issue(provider, try Support.request(identity("bob", pat: "pat-c"), lifetime: 300))
            let session = try await PostgresTestDatabase.connect(Support.login(first))

            let dropped = try await provider.dropIssued(tokenIDs: ["pat-a"], users: [])
            #expect(Set(dropped) == [first.id, second.id])
            #expect(try await Support.roles(prefix: prefix) == [other.id, bob.id].sorted())
            #expect(try await PostgresTestDatabase.strings(
                "SELECT count(*)::text FROM pg_stat_activity WHERE usename = '\(first.id)'", on: Support.admin()) == ["0"])
            Task { try? await session.close() }   // ended by the server: do not wait on it
            await #expect(throws: (any Error).self) { _ = try await PostgresTestDatabase.strings("SELECT 1", on: Support.login(first)) }
            let withdrawn = audit.events.withLock { $0 }.filter { $0.kind == .credentialWithdrawn }
            #expect(withdrawn.compactMap(\.target).sorted() == [first.id, second.id].sorted())
            #expect(withdrawn.allSatisfy { $0.actor == "alice" && $0.detail?.contains("pat=pat-a") == true })

            // Again (another replica, the same batch read twice): nothing left to do.
            #expect(try await provider.dropIssued(tokenIDs: ["pat-a"], users: []) == [])
            // A disabled user: every login of theirs.
            #expect(try await provider.dropIssued(tokenIDs: [], users: ["alice"]) == [other.id])
            #expect(try await Support.roles(prefix: prefix) == [bob.id])
        }
    }

    @Test func aReusedLoginIsSharedOnlyByExchangesOfOnePAT() async throws {
        try await Support.withProvider(reuseMargin: 10) { provider, prefix in
            let (_, first) = try await Support.issue(provider, try Support.request(identity("alice", pat: "pat-a"), lifetime: 300))
            let (_, again) = try await Support.issue(provider, try Support.request(identity("alice", pat: "pat-a"), lifetime: 300))
            let (_, other) = try await Support.issue(provider, try Support.request(identity("alice", pat: "pat-b"), lifetime: 300))
            #expect(again.id == first.id)
            #expect(other.id != first.id)
            #expect(try await provider.dropIssued(tokenIDs: ["pat-a"], users: []) == [first.id])
            // The dropped login is never handed out again.
            let (_, fresh) = try await Support.issue(provider, try Support.request(identity("alice", pat: "pat-a"), lifetime: 300))
            #expect(fresh.id != first.id)
            #expect(try await Support.roles(prefix: prefix) == [fresh.id, other.id].sorted())
        }
    }

    @Test func aRoleWithTheMarkerButNoOriginIsLeftToTheReaper() async throws {
        try await Support.withProvider { provider, prefix in
            let old = prefix + "old_login"
            try await PostgresTestDatabase.execute("CREATE ROLE \(old) LOGIN VALID UNTIL '2001-01-01Z'", on: Support.admin())
            try await PostgresTestDatabase.execute("COMMENT ON ROLE \(old) IS 'patgate temporary login'", on: Support.admin())
            #expect(try await provider.dropIssued(tokenIDs: ["pat-a"], users: ["alice", "old"]) == [])
            #expect(try await provider.reap() == [old])
        }
    }
}
