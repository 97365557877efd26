/// Scope strings as RFC 6749 §3.3 defines them: space-delimited, case-sensitive tokens.
public enum ScopeList {
    /// Splits a `scope` parameter; a malformed scope-token is `invalid_scope`.
    public static func parse(_ value: String) throws(OAuthError) -> [String] {
        var seen = Set<String>()
        var scopes: [String] = []
        for token in value.split(separator: " ", omittingEmptySubsequences: true) {
            guard isValidToken(token) else { throw OAuthError(.invalidScope, "malformed scope value") }
            if seen.insert(String(token)).inserted { scopes.append(String(token)) }
        }
        return scopes
    }

    /// Splits an upstream's space-separated scope claim, tolerating extra whitespace.
    public static func lenientSplit(_ value: String) -> [String] {
        // Every PAT read from the store and every introspection answer comes through here. An
        // ASCII claim is split as bytes: splitting `Character`s pays for grapheme breaking, and
        // cost a tenth of a store read (BENCHMARKS.md, "Issue 14", session 20). A claim with a
        // CR (CRLF is one `Character`) or non-ASCII (a combining mark joins the space before
        // it) keeps the `Character` split, so the answer is the same for every input.
        guard value.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else {
            return value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        }
        return value.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A })
            .map { String(decoding: $0, as: UTF8.self) }
    }

    public static func join(_ scopes: [String]) -> String {
        scopes.joined(separator: " ")
    }

    /// scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    public static func isValidToken(_ token: some StringProtocol) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
    }
}
