import Foundation
import OpenSSL
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    /// RFC 4648 §10, without padding.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFE]) == "___-")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.encode(Array(0...255)).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test func roundTripsAgainstFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            let foundation = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(encoded == foundation)
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }

    @Test func acceptsAnyCollectionAndStringProtocol() {
        let bytes: [UInt8] = Array("hello, world".utf8)
        #expect(Base64URL.encode(bytes[2...]) == Base64URL.encode(Array(bytes[2...])))
        #expect(Base64URL.encode("hello".utf8) == "aGVsbG8")
        #expect(Base64URL.encode(Data([1, 2, 3])) == "AQID")
        let text = "xxaGVsbG8xx"
        #expect(Base64URL.decode(text.dropFirst(2).dropLast(2)) == Array("hello".utf8))
    }

    @Test(arguments: [
        "Z",  // 4n+1 characters can encode nothing
        "Zm9vY",
        "Zg==", "Zg=", "Zm8=",  // padding is not base64url-in-JWS
        "Zm9+", "Zm9/",  // standard alphabet
        "Zm 9v", "Zm9v\n", " Zm9v", "Zm9v.",
        "Zm9vé", "Zm9v\u{0}",
        "Zh", "Zm9",  // canonical: non-zero trailing bits
    ])
    func rejectsInvalid(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }

    @Test func decodesEmpty() {
        #expect(Base64URL.decode("") == [])
    }
}
