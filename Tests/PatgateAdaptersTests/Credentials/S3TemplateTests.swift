import Foundation
import Testing
@testable import PatgateAdapters
import PatgateCore

/// `RoleSessionName` and session-policy templating, with hostile user names.
@Suite struct S3TemplateTests {
    static let hostileUsers = [
        "alice", "a", "Émile Zola", "bob/../../etc", "eve\"}],\"Effect\":\"Allow", "back\\slash", "new\nline",
        "tab\there", "nul\u{0}byte", "<script>", "x" + String(repeating: "y", count: 200), "名前", "emoji😀",
        "a+b=c,d.e@f-g_h", "", " ",
    ]

    static func isValidSessionName(_ name: String) -> Bool {
        (2...64).contains(name.count) && name.unicodeScalars.allSatisfy(SessionNameTemplate.isAllowed)
    }

    @Test(arguments: hostileUsers)
    func sessionNamesAreAlwaysValid(_ user: String) {
        for template in [SessionNameTemplate.standard, SessionNameTemplate("{user}")!,
                         SessionNameTemplate(String(repeating: "p", count: 40) + "-{user}-" + "s")!] {
            let name = template.render(user: user)
            #expect(Self.isValidSessionName(name), "\(name)")
        }
    }

    @Test func plainUsersAreKeptAndOthersAreTaggedApart() {
        let template = SessionNameTemplate.standard
        #expect(template.render(user: "alice") == "patgate-alice")
        #expect(template.render(user: "a+b=c,d.e@f-g_h") == "patgate-a+b=c,d.e@f-g_h")
        // "al/ice" and "al_ice" must not share a session name.
        let slash = template.render(user: "al/ice")
        #expect(slash.hasPrefix("patgate-al_ice-") && slash.count == "patgate-al_ice-".count + 8)
        #expect(slash != template.render(user: "al_ice"))
        let long = template.render(user: String(repeating: "z", count: 100))
        #expect(long.count == 64)
        #expect(long != template.render(user: String(repeating: "z", count: 101)))
        #expect(SessionNameTemplate("fixed-name")!.render(user: "anyone") == "fixed-name")
    }

    @Test(arguments: ["", "x", "{user}{user}", "bad name {user}", "pat/{user}", String(repeating: "p", count: 49) + "{user}",
                      String(repeating: "p", count: 65)])
    func invalidSessionTemplatesAreRefused(_ template: String) {
        #expect(SessionNameTemplate(template) == nil)
    }

    static let policy = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],
         "Resource":"arn:aws:s3:::data/home/{user}/*"},
         {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::data",
          "Condition":{"StringLike":{"s3:prefix":"home/{user}/*"}}}]}
        """

    @Test(arguments: hostileUsers.filter { !$0.isEmpty && !$0.contains("/") })
    func policiesStayJSONWithTheUserVerbatim(_ user: String) throws {
        let template = try PolicyTemplate(Self.policy)
        let rendered = try template.render(user: user)
        let object = try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any]
        let statements = try #require(object?["Statement"] as? [[String: Any]])
        #expect(statements.count == 2)
        #expect(statements[0]["Resource"] as? String == "arn:aws:s3:::data/home/\(user)/*")
        #expect(statements[0]["Effect"] as? String == "Allow")
    }

    @Test(arguments: ["*", "al*ce", "a?", "${aws:username}", "$", "alice/x", "", "../alice"])
    func wildcardUsersAreRefused(_ user: String) throws {
        let error = #expect(throws: CredentialError.self) { try PolicyTemplate(Self.policy).render(user: user) }
        #expect(error?.kind == .notPermitted)
        // A policy that does not name the user has nothing to widen.
        #expect(try PolicyTemplate(#"{"Version":"2012-10-17","Statement":[]}"#).render(user: user).contains("Statement"))
    }

    @Test func invalidPolicyTemplatesAreRefused() {
        #expect(throws: PolicyTemplateError.notJSONObject) { try PolicyTemplate(#"{"Resource": {user}}"#) }
        #expect(throws: PolicyTemplateError.notJSONObject) { try PolicyTemplate("[1]") }
        #expect(throws: PolicyTemplateError.notJSONObject) { try PolicyTemplate("not json") }
        #expect(throws: PolicyTemplateError.tooLong) {
            try PolicyTemplate(#"{"a":""# + String(repeating: "x", count: 2_048) + #""}"#)
        }
    }

    @Test func jsonEscaping() {
        #expect(PolicyTemplate.jsonEscaped("a\"b\\c\n\u{1}\u{7F}\u{2028}é") == #"a\"b\\c\n\u0001\u007f\u2028é"#)
    }
}
