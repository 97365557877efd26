import Testing
@testable import PatgateAdapters
import PatgateCore

@Suite struct IntrospectionParserTests {
    func parse(_ json: String, now: Int64 = 1_000) throws -> ValidationResult {
        try IntrospectionParser.parse(Array(json.utf8), now: now)
    }

    @Test func readsAnActiveResponse() throws {
        let result = try parse(#"{"active":true,"sub":"u-1","username":"alice","scope":"openid  profile","exp":2000,"email":"a@x"}"#)
        #expect(result == .active(SubjectIdentity(
            subject: "u-1", username: "alice", scopes: ["openid", "profile"], expiresAt: 2_000,
            claims: ["username": .string("alice"), "email": .string("a@x")])))
    }

    @Test func usernameStandsInForAMissingSub() throws {
        guard case .active(let subject) = try parse(#"{"active":true,"username":"bob"}"#) else {
            Issue.record("expected active"); return
        }
        #expect(subject.subject == "bob")
        #expect(subject.scopes.isEmpty)
        #expect(subject.expiresAt == nil)   // no exp: the PAT does not expire
    }

    @Test func scopeArraysAndFloatExpAreAccepted() throws {
        guard case .active(let subject) = try parse(#"{"active":true,"sub":"s","scope":["a","b"],"exp":2.0e3}"#) else {
            Issue.record("expected active"); return
        }
        #expect(subject.scopes == ["a", "b"])
        #expect(subject.expiresAt == 2_000)
    }

    /// A JWT patgate minted (its answer names the PAT it came from) is not a subject token.
    @Test func aMintedTokenIsNotExchangedAgain() throws {
        #expect(try parse(#"{"active":true,"sub":"s","scope":"openid","exp":2000,"jti":"j","pat_id":"p"}"#) == .inactive)
        guard case .active(let pat) = try parse(#"{"active":true,"sub":"s","jti":"p"}"#) else {
            Issue.record("expected active"); return
        }
        #expect(pat.tokenID == "p")
    }

    @Test func inactiveAndExpiredAreInactive() throws {
        #expect(try parse(#"{"active":false}"#) == .inactive)
        #expect(try parse(#"{"active":true,"sub":"s","exp":999}"#) == .inactive)
    }

    @Test(arguments: [
        "", "not json", "[]", #"{"active":"true","sub":"s"}"#, #"{"active":1,"sub":"s"}"#, #"{"sub":"s"}"#,
        #"{"active":true}"#, #"{"active":true,"sub":"s","exp":"soon"}"#, #"{"active":true,"sub":"s","scope":5}"#,
    ])
    func confusedUpstreamsThrow(_ body: String) {
        #expect(throws: IntrospectionError.self) { try parse(body) }
    }
}

extension IntrospectionParserTests {
    /// Two `active` members could be read differently by two parsers: refused.
    @Test func duplicateMembersThrow() {
        #expect(throws: IntrospectionError.self) { try parse(#"{"active":false,"active":true,"sub":"s"}"#) }
    }
}
