import Foundation
import PatgateCore
import PatgateTestSupport
import PostgresNIO
import Testing
@testable import PatgateAdapters

/// The provider against the real server of `PATGATE_TEST_POSTGRES_ADMIN_URL`.
@Suite(.enabled(if: PostgresLoginTestSupport.isConfigured, PostgresLoginTestSupport.skipNote))
struct PostgresLoginProviderTests {
    typealias Support = PostgresLoginTestSupport
    let alice = SubjectIdentity(subject: "alice-sub", username: "alice", scopes: ["credentials"])

    @Test func aLoginReadsWhatItsRoleMayAndNothingElse() async throws {
        try await Support.withProvider { provider, prefix in
            let request = try Support.request(alice, lifetime: 300, notAfter: UnixTime.now() + 120)
            let (_, credential) = try await Support.issue(provider, request)

            let name = try #require(Support.field(credential, "db_username"))
            #expect(name.hasPrefix(prefix + "alice_"))
            #expect(credential.id == name)
            #expect(credential.expiresAt == request.notAfter)   // capped by the PAT
            #expect(Support.field(credential, "db_password")?.count == 43)
            #expect(provider.publicSettings.map(\.name) == ["db_host", "db_port", "db_database", "db_platform"])

            let login = try Support.login(credential)
            #expect(try await PostgresTestDatabase.strings("SELECT note FROM patgate_test_readable", on: login) == ["readable"])
            await #expect(throws: PSQLError.self) {
                _ = try await PostgresTestDatabase.strings("SELECT note FROM patgate_test_secret", on: login)
            }
            let row = try await PostgresTestDatabase.strings("""
                SELECT to_char(rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' ' || rolcanlogin::text
                       || ' ' || rolcreaterole::text || ' ' || shobj_description(oid, 'pg_authid')
                FROM pg_roles WHERE rolname = '\(name)'
                """, on: Support.admin())
            #expect(row == [#"\#(RFC3339.format(credential.expiresAt)) true false patgate temporary login {"sub":"alice-sub"}"#])

            var wrong = login
            wrong.password = "not-the-password"
            await #expect(throws: (any Error).self) { _ = try await PostgresTestDatabase.strings("SELECT 1", on: wrong) }
        }
    }

    @Test(arguments: PostgresRoleNameTests.hostile)
    func hostileUserNamesGetAWorkingLoginAndInjectNothing(user: String) async throws {
        try await Support.withProvider { provider, prefix in
            let (_, credential) = try await Support.issue(
                provider, try Support.request(SubjectIdentity(subject: user, username: user, scopes: []), lifetime: 120))
            let name = try #require(Support.field(credential, "db_username"))
            #expect(PostgresRoleName.matches(name, prefix: prefix) && name.utf8.count <= 63)
            #expect(try await PostgresTestDatabase.strings("SELECT current_user::text", on: Support.login(credential)) == [name])
            #expect(try await Support.exists("patgate_admin"))
            #expect(try await Support.exists(Support.reader))
            #expect(try await Support.roles(prefix: prefix) == [name])
        }
    }

    @Test func configuredRoleNamesAreQuotedByTheServer() async throws {
        let group = "pgt Odd \"Group\"; DROP ROLE patgate_admin; -- \(UUID().uuidString.prefix(8))"
        let admin = try Support.admin()
        try await PostgresTestDatabase.execute(
            "CREATE ROLE \"\(group.replacingOccurrences(of: "\"", with: "\"\""))\" NOLOGIN", on: admin)
        let literal = group.replacingOccurrences(of: "'", with: "''")
        let member = try await Support.withProvider(roles: [Support.reader, group]) { provider, _ in
            let (_, credential) = try await Support.issue(provider, try Support.request(alice, lifetime: 120))
            return try await PostgresTestDatabase.strings(
                "SELECT pg_has_role(current_user, r.oid, 'MEMBER')::text FROM pg_roles r WHERE r.rolname = '\(literal)'",
                on: Support.login(credential))
        }
        try await PostgresTestDatabase.execute(
            "DROP ROLE \"\(group.replacingOccurrences(of: "\"", with: "\"\""))\"", on: admin)
        #expect(member == ["true"])
        #expect(try await Support.exists("patgate_admin"))
    }

    @Test func theReaperEndsSessionsAndDropsOnlyExpiredLoginsItMade() async throws {
        let admin = try Support.admin()
        try await Support.withProvider { provider, prefix in
            let (_, short) = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
            let (_, long) = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
            // Roles patgate did not make: the prefix without the marker, the marker without the prefix.
            let foreign = "\(prefix)foreign"
            let elsewhere = "other" + prefix
            try await PostgresTestDatabase.execute("CREATE ROLE \(foreign) LOGIN VALID UNTIL '2001-01-01Z'", on: admin)
            try await PostgresTestDatabase.execute("CREATE ROLE \(elsewhere) VALID UNTIL '2001-01-01Z'", on: admin)
            try await PostgresTestDatabase.execute("COMMENT ON ROLE \(elsewhere) IS 'patgate temporary login'", on: admin)

            let session = try await PostgresTestDatabase.connect(Support.login(short))
            #expect(try await provider.reap() == [])   // nothing has expired yet
            try await Support.expire(short.id)
            #expect(try await provider.reap() == [short.id])

            #expect(try await !Support.exists(short.id))
            #expect(try await Support.exists(long.id))
            #expect(try await Support.exists(foreign))
            #expect(try await Support.exists(elsewhere))
            try await PostgresTestDatabase.execute("DROP ROLE \(elsewhere)", on: admin)
            #expect(try await PostgresTestDatabase.strings(
                "SELECT count(*)::text FROM pg_stat_activity WHERE usename = '\(short.id)'", on: admin) == ["0"])
            Task { try? await session.close() }   // ended by the server: do not wait on it
            await #expect(throws: (any Error).self) { _ = try await PostgresTestDatabase.strings("SELECT 1", on: Support.login(short)) }
        }
    }

    @Test func theReaperDropsWhatAnExpiredLoginOwns() async throws {
        let owner = try Support.admin()   // may create schemas in the test database
        var schema = ""
        do {
            try await Support.withProvider { provider, prefix in
                schema = prefix + "scratch"
                let (_, credential) = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
                try await PostgresTestDatabase.execute("CREATE SCHEMA \(schema)", on: owner)
                try await PostgresTestDatabase.execute("GRANT USAGE, CREATE ON SCHEMA \(schema) TO \(credential.id)", on: owner)
                try await PostgresTestDatabase.execute("CREATE TABLE \(schema).made_by_login (x int)", on: Support.login(credential))
                try await Support.expire(credential.id)
                #expect(try await provider.reap() == [credential.id])
                #expect(try await !Support.exists(credential.id))
                #expect(try await PostgresTestDatabase.strings(
                    "SELECT count(*)::text FROM pg_tables WHERE schemaname = '\(schema)'", on: owner) == ["0"])
            }
        } catch {
            try? await PostgresTestDatabase.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE", on: owner)
            throw error
        }
        try await PostgresTestDatabase.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE", on: owner)
    }

    @Test func withdrawDropsANewLoginButNeverOneHandedOutBefore() async throws {
        try await Support.withProvider(reuseMargin: 60) { provider, _ in
            let (first, issued) = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
            let (second, reused) = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
            #expect(reused == issued)
            await second.withdraw(reused)   // the first exchange still holds it
            #expect(try await Support.exists(issued.id))
            await first.withdraw(issued)
            #expect(try await !Support.exists(issued.id))
        }
        try await Support.withProvider { provider, _ in   // no reuse: every exchange its own login
            let (prepared, own) = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
            let (_, other) = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
            #expect(own.id != other.id)
            await prepared.withdraw(own)
            #expect(try await !Support.exists(own.id))
            #expect(try await Support.exists(other.id))
        }
    }

    @Test func reuseKeepsTheMarginAndNeverPassesThePATExpiry() async throws {
        let clock = TestClock(UnixTime.now())
        let start = clock.now()
        try await Support.withProvider(reuseMargin: 100, now: { clock.now() }) { provider, prefix in
            let (_, first) = try await Support.issue(provider, try Support.request(alice, lifetime: 600, now: start))
            // A PAT ending before the cached login does: a new, shorter login.
            let (_, capped) = try await Support.issue(
                provider, try Support.request(alice, lifetime: 600, notAfter: start + 300, now: start))
            #expect(capped.id != first.id && capped.expiresAt == start + 300)
            // The newest login again, while more than the margin remains…
            let (_, again) = try await Support.issue(provider, try Support.request(alice, lifetime: 600, now: start))
            #expect(again == capped)
            // …and a new one once less remains.
            clock.value.withLock { $0 = start + 250 }
            let (_, late) = try await Support.issue(provider, try Support.request(alice, lifetime: 600, now: start + 250))
            #expect(late.id != capped.id)
            // Another user never gets alice's login.
            let bob = SubjectIdentity(subject: "bob-sub", username: "bob", scopes: [])
            let (_, bobs) = try await Support.issue(provider, try Support.request(bob, lifetime: 600, now: start + 250))
            #expect(bobs.id != late.id && bobs.id.hasPrefix(prefix + "bob_"))
        }
    }

    /// A statement waiting on a lock another session holds ends within `timeout_seconds`:
    /// the caller gets `.unavailable` on time and no statement of the provider keeps waiting.
    /// (PostgreSQL 15 gives a non-superuser no lock that `CREATE ROLE` waits on; the row lock
    /// on a login's pg_authid row holds the `ALTER ROLE` a withdrawal starts with.)
    @Test func aStatementWaitingOnALockIsUnavailableWithinTheTimeout() async throws {
        let admin = try Support.admin()
        let prefix = Support.uniquePrefix()
        let provider = PostgresLoginProvider(
            settings: PostgresLoginSettings(admin: admin, roles: [Support.reader], namePrefix: prefix,
                                            reapInterval: 0, timeout: 2),
            logger: PostgresTestDatabase.logger)
        let blocker = try await PostgresTestDatabase.connect(admin)
        do {
            try await provider.withRunning {
                let (_, credential) = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
                try await blocker.query("BEGIN", logger: PostgresTestDatabase.logger)
                try await blocker.query(PostgresQuery(unsafeSQL: "ALTER ROLE \"\(credential.id)\" CONNECTION LIMIT 5"),
                                        logger: PostgresTestDatabase.logger)
                let clock = ContinuousClock()
                let started = clock.now
                let error = await #expect(throws: CredentialError.self) { try await provider.drop(credential.id) }
                #expect(error?.kind == .unavailable)
                #expect(clock.now - started < .seconds(7))   // timeout_seconds 2, and slack for a loaded machine
                // The server ended the waiting statement too (lock_timeout, or the closed connection).
                var waiting = [""]
                for _ in 0..<20 {
                    waiting = try await PostgresTestDatabase.strings(
                        "SELECT count(*)::text FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER ROLE%NOLOGIN'",
                        on: admin)
                    if waiting == ["0"] { break }
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(waiting == ["0"])
                try await blocker.query("ROLLBACK", logger: PostgresTestDatabase.logger)
                // The pool replaced what the deadline closed: the provider works again.
                try await provider.drop(credential.id)
                #expect(try await !Support.exists(credential.id))
                _ = try await Support.issue(provider, try Support.request(alice, lifetime: 600))
            }
        } catch {
            try? await blocker.close()
            await Support.dropRoles(prefix: prefix)
            throw error
        }
        try? await blocker.close()
        await Support.dropRoles(prefix: prefix)
    }

    @Test func aPATThatHasExpiredGetsNoLogin() async throws {
        try await Support.withProvider { provider, _ in
            let now = UnixTime.now()
            #expect(throws: CredentialError(.notPermitted, "the PAT expires too soon for a PostgreSQL login")) {
                _ = try provider.prepare(try Support.request(alice, lifetime: 600, notAfter: now, now: now))
            }
        }
    }
}

/// Needs no server: nothing listens on port 1.
@Suite struct PostgresLoginUnavailableTests {
    @Test func anUnreachableServerIsUnavailableWithinTheTimeout() async throws {
        let admin = PostgresSettings(host: "127.0.0.1", port: 1, username: "patgate_admin", password: "hunter2-secret",
                                     database: "patgate", tls: .disable)
        let provider = PostgresLoginProvider(
            settings: PostgresLoginSettings(admin: admin, roles: ["reader"], reapInterval: 0, timeout: 2),
            logger: PostgresTestDatabase.logger)
        let clock = ContinuousClock()
        let started = clock.now
        let request = try PostgresLoginTestSupport.request(SubjectIdentity(subject: "alice", scopes: []), lifetime: 60)
        let prepared = try #require(try provider.prepare(request))
        let error = await #expect(throws: CredentialError.self) { try await provider.withRunning { _ = try await prepared.issue() } }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("hunter2") == false)
        #expect(clock.now - started < .seconds(7))   // timeout_seconds 2, and slack for a loaded machine
        await #expect(throws: CredentialError.self) { try await provider.reap() }
        #expect(provider.publicSettings == [
            CredentialField("db_host", "127.0.0.1"), CredentialField("db_port", 1),
            CredentialField("db_database", "patgate"), CredentialField("db_platform", "postgresql"),
        ])
    }
}
