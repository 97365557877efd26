import Testing
@testable import PatgateCore

@Suite struct FormBodyTests {
    func parse(_ text: String) throws -> FormBody { try FormBody(parsing: Array(text.utf8)) }

    @Test func decodesPlusAndPercentEscapes() throws {
        let form = try parse("a=hello+world&b=%C3%A9t%C3%A9&c=&d&e=x%3Dy%26z")
        #expect(try form.single("a") == "hello world")
        #expect(try form.single("b") == "été")
        #expect(try form.single("c") == nil)
        #expect(try form.single("d") == nil)
        #expect(try form.single("e") == "x=y&z")
    }

    @Test func repeatedSingleParameterIsInvalidRequest() throws {
        let form = try parse("scope=a&scope=b&audience=x&audience=y")
        #expect(throws: OAuthError.invalidRequest("parameter 'scope' is repeated")) { try form.single("scope") }
        #expect(form.values("audience") == ["x", "y"])
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%FF", "%C3=1"])
    func malformedEscapesAreRejected(_ body: String) {
        #expect(throws: OAuthError.self) { try parse(body) }
    }

    @Test func emptyBodyHasNoFields() throws {
        #expect(try parse("").fields.isEmpty)
        #expect(try parse("&&").fields.isEmpty)
    }
}
