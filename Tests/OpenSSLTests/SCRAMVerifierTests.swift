import Foundation
import Testing
@testable import OpenSSL

@Suite struct SCRAMVerifierTests {
    /// RFC 7677's example password and salt; the expected keys were computed with Python's
    /// hashlib.pbkdf2_hmac and hmac, an implementation independent of OpenSSL's.
    @Test func matchesAnIndependentImplementation() throws {
        let salt = [UInt8](Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
        #expect(try SCRAMVerifier.sha256(password: "pencil", salt: salt)
            == "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")
    }

    @Test func standardBase64PadsLikeRFC4648() {
        #expect(SCRAMVerifier.base64(Array("".utf8)) == "")
        #expect(SCRAMVerifier.base64(Array("a".utf8)) == "YQ==")
        #expect(SCRAMVerifier.base64(Array("ab".utf8)) == "YWI=")
        #expect(SCRAMVerifier.base64(Array("abc".utf8)) == "YWJj")
        #expect(SCRAMVerifier.base64(Array("abcd".utf8)) == "YWJjZA==")
        #expect(SCRAMVerifier.base64([0xFB, 0xFF]) == "+/8=")
    }

    @Test func aDifferentSaltOrPasswordGivesAnotherVerifier() throws {
        let one = try SCRAMVerifier.sha256(password: "pencil", salt: Array(repeating: 1, count: 16))
        #expect(try SCRAMVerifier.sha256(password: "pencil", salt: Array(repeating: 2, count: 16)) != one)
        #expect(try SCRAMVerifier.sha256(password: "pencils", salt: Array(repeating: 1, count: 16)) != one)
        #expect(!one.contains("pencil"))
        #expect(throws: CryptoError.self) { try SCRAMVerifier.pbkdf2SHA256(password: [], salt: [], iterations: 0) }
    }
}
