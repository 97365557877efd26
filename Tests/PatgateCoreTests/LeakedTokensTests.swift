import OpenSSL
import PatgateTestSupport
import Testing
@testable import PatgateCore

/// What a verified report does: revoke live PATs of ours, audit `pat.leaked`, label each report.
@Suite struct LeakedTokensTests {
    let store = MemoryPATStore()
    let audit = MemoryAuditLog()
    let clock = TestClock(1_000)

    var issuer: PATIssuer {
        let clock = self.clock
        var hashKey = [UInt8](repeating: 7, count: 32)
        return PATIssuer(store: store, users: MemoryUserStore(["alice"]), format: PATFormat(prefix: "pgat")!,
                         hashKey: SecretBytes(wiping: &hashKey), scopeCatalogue: ["openid"], now: { clock.now() })
    }

    var leaks: LeakedTokens { LeakedTokens(issuer: issuer, audit: audit) }

    @Test func revokesALivePATAndAuditsItWithTheURLButNeverTheValue() async throws {
        let (pat, value) = try await issuer.create(owner: "alice", name: "ci", scopes: nil, expiresIn: nil)
        let report = LeakReport(token: value, type: "pgat_pat", url: "https://github.com/o/r/blob/1/f.txt?x=\(value)", source: "content")
        let verdicts = try await leaks.handle([report], from: .github, address: "192.0.2.1")
        #expect(verdicts == [.init(report: report, label: .truePositive, patID: pat.id, revoked: true)])
        #expect(try await store.find(id: pat.id)?.revokedAt == 1_000)
        #expect(try await issuer.introspect(value) == nil)
        let events = audit.events.withLock { $0 }
        #expect(events.count == 1)
        #expect(events.first?.kind == .patLeaked && events.first?.target == pat.id)
        #expect(events.first?.actor == "secret-scanning:github" && events.first?.address == "192.0.2.1")
        #expect(events.first?.detail == "partner=github owner=alice type=pgat_pat url=https://github.com/o/r/blob/1/f.txt?x=[token] source=content")
        #expect(!audit.lines.contains(value))
    }

    @Test func aRepeatedReportGetsTheSameVerdictAndChangesNothing() async throws {
        let (pat, value) = try await issuer.create(owner: "alice", name: "ci", scopes: nil, expiresIn: nil)
        let report = LeakReport(token: value, type: "pgat_pat", url: "https://gitlab.example.com/r/-/raw/1/f")
        // Twice in one body, then again later.
        let first = try await leaks.handle([report, report], from: .gitlab, address: nil)
        clock.value.withLock { $0 += 60 }
        let again = try await leaks.handle([report], from: .gitlab, address: nil)
        #expect(first.map(\.label) == [.truePositive, .truePositive] && again.map(\.label) == [.truePositive])
        #expect(first.map(\.revoked) == [true, false] && again.map(\.revoked) == [false])
        #expect(try await store.find(id: pat.id)?.revokedAt == 1_000)
        #expect(audit.events.withLock { $0.count } == 1)
    }

    @Test func unknownMalformedAndForeignValuesAreFalsePositives() async throws {
        let (_, value) = try await issuer.create(owner: "alice", name: "ci", scopes: nil, expiresIn: nil)
        let unknown = try PATFormat(prefix: "pgat")!.generate()   // well-formed, never issued
        var broken = Array(value.utf8)
        broken[broken.count - 1] = broken[broken.count - 1] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let values = [unknown, String(decoding: broken, as: UTF8.self), "ghp_0123456789", "pgat_"]
        let verdicts = try await leaks.handle(values.map { LeakReport(token: $0, type: "pgat_pat") }, from: .github, address: nil)
        #expect(verdicts.allSatisfy { $0.label == .falsePositive && $0.patID == nil && !$0.revoked })
        #expect(try await issuer.introspect(value) != nil)
        #expect(audit.events.withLock { $0.isEmpty })
    }

    @Test func aPATRevokedOrExpiredBeforeTheReportIsOursButNotRevokedAgain() async throws {
        let (revoked, revokedValue) = try await issuer.create(owner: "alice", name: "old", scopes: nil, expiresIn: nil)
        try await issuer.revoke(id: revoked.id)
        let (_, expiredValue) = try await issuer.create(owner: "alice", name: "short", scopes: nil, expiresIn: 10)
        clock.value.withLock { $0 += 100 }
        let verdicts = try await leaks.handle([LeakReport(token: revokedValue, type: "t"), LeakReport(token: expiredValue, type: "t")],
                                              from: .github, address: nil)
        #expect(verdicts.map(\.label) == [.truePositive, .truePositive])
        #expect(verdicts.allSatisfy { !$0.revoked })
        #expect(try await store.find(id: revoked.id)?.revokedAt == 1_000)
        #expect(audit.events.withLock { $0.isEmpty })
    }

    @Test func theGitHubAnswerHashesEveryValue() throws {
        let verdicts = [
            LeakedTokens.Verdict(report: LeakReport(token: "abc", type: "pgat_pat"), label: .truePositive, patID: "1", revoked: true),
            LeakedTokens.Verdict(report: LeakReport(token: "x\"y", type: "t\"2"), label: .falsePositive, patID: nil, revoked: false),
        ]
        let text = String(decoding: LeakedTokens.githubAnswer(verdicts), as: UTF8.self)
        // SHA-256("abc") is the FIPS 180-2 test vector.
        #expect(text == #"[{"token_hash":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","token_type":"pgat_pat","label":"true_positive"},{"token_hash":""# + LeakedTokens.hex(Digest.sha256(Array("x\"y".utf8))) + #"","token_type":"t\"2","label":"false_positive"}]"#)
        #expect(String(decoding: LeakedTokens.githubAnswer([]), as: UTF8.self) == "[]")
    }
}
