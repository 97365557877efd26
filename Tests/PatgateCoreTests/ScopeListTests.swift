import Testing
@testable import PatgateCore

/// `ScopeList.lenientSplit` reads the scope claims of upstream answers and of stored PATs: it
/// splits on spaces, tabs and line feeds, drops empty pieces, and answers exactly as a split of
/// `Character`s does, also for the inputs its ASCII fast path hands to that split.
@Suite struct ScopeListTests {
    @Test(arguments: [
        ("openid profile", ["openid", "profile"]),
        ("  openid\t\tprofile\n", ["openid", "profile"]),
        ("", []),
        (" \t\n ", []),
        ("a:b/c read:org", ["a:b/c", "read:org"]),
        ("é read", ["é", "read"]),
        ("a\r\nb", ["a\r\nb"]),              // CRLF is one Character: not a line feed
        ("a \u{301}b c", ["a \u{301}b", "c"]),   // the combining mark joins the space before it
        ("a\rb c", ["a\rb", "c"]),
    ])
    func splitsLikeACharacterSplit(input: String, expected: [String]) {
        #expect(ScopeList.lenientSplit(input) == expected)
        let characters = input.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        #expect(ScopeList.lenientSplit(input) == characters)
    }

    @Test func parseRefusesAMalformedTokenAndDropsRepeats() throws {
        #expect(try ScopeList.parse("openid  openid profile") == ["openid", "profile"])
        #expect(throws: OAuthError.self) { try ScopeList.parse("open\"id") }
    }
}
