import Crypto
import Foundation
import OpenSSL
import Testing
@testable import PatgateCore

/// Reading the partners' report bodies and checking their signatures.
@Suite struct LeakReportTests {
    @Test func readsGitHubAndGitLabBodies() throws {
        let github = #"[{"token":"pgat_a","type":"pgat_pat","url":"https://github.com/o/r/blob/1/f.txt","source":"content"},{"token":"x","type":"t","url":"u","source":"commit","later":{"x":1}}]"#
        #expect(try LeakReport.parse(Array(github.utf8)) == [
            LeakReport(token: "pgat_a", type: "pgat_pat", url: "https://github.com/o/r/blob/1/f.txt", source: "content"),
            LeakReport(token: "x", type: "t", url: "u", source: "commit"),
        ])
        let gitlab = #"[{"type":"pgat_pat","token":"pgat_b","url":"https://gitlab.example.com/r/-/raw/1/f.java"}]"#
        #expect(try LeakReport.parse(Array(gitlab.utf8)) == [
            LeakReport(token: "pgat_b", type: "pgat_pat", url: "https://gitlab.example.com/r/-/raw/1/f.java")])
        #expect(try LeakReport.parse(Array("[]".utf8)).isEmpty)
        #expect(try LeakReport.parse(Array(#"[{"token":"t"}]"#.utf8)) == [LeakReport(token: "t", type: "")])
    }

    @Test func refusesWhatIsNotAnArrayOfReports() throws {
        for body in ["", "{}", #"{"token":"t"}"#, "[1]", #"[{"type":"t"}]"#, #"[{"token":""}]"#, #"[{"token":7}]"#,
                     #"[{"token":"t","url":5}]"#, #"[{"token":"t","type":["a"]}]"#, #"[{"token":"t","token":"u"}]"#,
                     #"[{"token":"t"}"#, #"[{"token":"t"}] x"#] {
            #expect(throws: LeakError.self, "\(body)") { try LeakReport.parse(Array(body.utf8)) }
        }
        let many = "[" + Array(repeating: #"{"token":"t"}"#, count: LeakReport.maximumCount + 1).joined(separator: ",") + "]"
        let error = #expect(throws: LeakError.self) { try LeakReport.parse(Array(many.utf8)) }
        #expect(error?.code == .invalidRequest && error?.status == 400)
        let enough = "[" + Array(repeating: #"{"token":"t"}"#, count: LeakReport.maximumCount).joined(separator: ",") + "]"
        #expect(try LeakReport.parse(Array(enough.utf8)).count == LeakReport.maximumCount)
    }

    @Test func acceptsOnlyTheConfiguredKeysSignatureOverTheRawBody() throws {
        let signer = P256.Signing.PrivateKey()
        let keys = PartnerKeys(partner: .github, keys: ["k1": try PublicKey(pem: signer.publicKey.pemRepresentation)])
        let body = Array(#"[{"token":"pgat_a","type":"pgat_pat"}]"#.utf8)
        let signature = try signer.signature(for: body).derRepresentation.base64EncodedString()
        #expect(throws: Never.self) { try keys.verify(keyID: "k1", signature: signature, body: body) }

        let other = try P256.Signing.PrivateKey().signature(for: body).derRepresentation.base64EncodedString()
        let refusals: [(String?, String?, [UInt8])] = [
            (nil, signature, body), ("k1", nil, body), ("", signature, body), ("k1", "", body),
            ("k2", signature, body),                     // unknown key id
            ("k1", other, body),                         // another key's signature
            ("k1", signature, body + [0x0A]),            // the body changed
            ("k1", "not base64!", body),
            ("k1", String(signature.dropLast(4)), body),  // cut short
        ]
        for (keyID, signature, body) in refusals {
            let error = #expect(throws: LeakError.self) { try keys.verify(keyID: keyID, signature: signature, body: body) }
            #expect(error?.status == 401)
        }
        let missing = #expect(throws: LeakError.self) { try keys.verify(keyID: nil, signature: nil, body: body) }
        #expect(missing?.description.contains("Github-Public-Key-Identifier") == true)
    }

    @Test func decodesStandardBase64Only() {
        #expect(PartnerKeys.base64Decoded("+/8=") == [0xFB, 0xFF])
        #expect(PartnerKeys.base64Decoded("AAAA") == [0, 0, 0])
        #expect(PartnerKeys.base64Decoded("-_8=") == nil)
        #expect(PartnerKeys.base64Decoded("AAA") == nil)
        #expect(PartnerKeys.base64Decoded("A===") == nil)
    }
}
