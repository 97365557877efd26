import Foundation
import Testing
import PatgateCore

@Suite struct JSONValueParserTests {
    func parse(_ text: String) -> JSONValue? {
        JSONValueParser.parse(Array(text.utf8))
    }

    @Test func readsEveryKindOfValue() {
        #expect(parse(#" {"s":"a\"b\\\/\n\u00e9\ud83d\ude00","i":-42,"d":2.5e3,"z":0,"t":true,"f":false,"n":null,"a":[1,"x",[]],"o":{}} "#)
            == .object(["s": .string("a\"b\\/\né😀"), "i": .integer(-42), "d": .number(2500), "z": .integer(0),
                        "t": .bool(true), "f": .bool(false), "n": .null,
                        "a": .array([.integer(1), .string("x"), .array([])]), "o": .object([:])]))
        #expect(parse("9223372036854775807") == .integer(Int64.max))
        #expect(parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(parse(#""plain ascii and ütf-8""#) == .string("plain ascii and ütf-8"))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "-", "1.", ".5", "1e", "+1", "tru", "nul",
        "\"unterminated", "\"tab\there\"", #""\x""#, #""\u12""#, #""\udc00""#, #""\ud800x""#, "{} {}", "[1] x",
        #"{"a":1,"a":2}"#, String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(JSONValueParser.parse([0x22, 0xC3, 0x28, 0x22]) == nil)
        #expect(JSONValueParser.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) == nil)
    }

    /// The answers real upstreams give read the same as through Foundation's `JSONDecoder`.
    @Test(arguments: [
        #"{"active":true,"sub":"alice","username":"alice","scope":"openid profile","exp":1893456000,"iat":1700000000,"token_type":"Bearer","client_id":"pat","jti":"0123456789abcdef01234567","pat_name":"ci \u2013 deploy"}"#,
        #"{"active":false}"#,
        #"{"active":true,"sub":"u","scope":["a","b"],"groups":[{"id":1,"name":"x"}],"ratio":0.25,"nested":{"deep":[null,true]}}"#,
    ])
    func agreesWithJSONDecoder(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(parse(text) == expected)
    }
}
