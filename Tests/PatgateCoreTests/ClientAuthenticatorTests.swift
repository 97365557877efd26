import Foundation
import Testing
@testable import PatgateCore

@Suite struct ClientAuthenticatorTests {
    let authenticator = ClientAuthenticator(clients: [
        OAuthClient(id: "ci", authentication: .secret(SecretDigest(hashing: "s3cr:et/+"))),
        OAuthClient(id: "cli", authentication: .none),
    ])

    func form(_ text: String) throws -> FormBody { try FormBody(parsing: Array(text.utf8)) }
    func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    @Test func clientSecretBasicWithFormEncodedSecret() throws {
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
        let client = try authenticator.authenticate(authorization: basic("ci", "s3cr%3Aet%2F%2B"), form: form(""))
        #expect(client.id == "ci")
    }

    @Test func clientSecretPost() throws {
        let client = try authenticator.authenticate(authorization: nil, form: form("client_id=ci&client_secret=s3cr%3Aet%2F%2B"))
        #expect(client.id == "ci")
    }

    @Test func publicClientWithIdOnly() throws {
        #expect(try authenticator.authenticate(authorization: nil, form: form("client_id=cli")).id == "cli")
    }

    @Test func failuresAreInvalidClientWithoutSayingWhy() throws {
        let failures = [
            (basic("ci", "wrong"), ""), (nil, "client_id=ci&client_secret=wrong"), (nil, "client_id=ci"),
            (nil, "client_id=nobody"), (nil, "client_id=cli&client_secret=x"), (nil, ""),
            ("Basic !!!notbase64", ""), (basic("", "x"), ""),
        ]
        for (header, body) in failures {
            #expect(throws: OAuthError.self) { try authenticator.authenticate(authorization: header, form: form(body)) }
            do {
                _ = try authenticator.authenticate(authorization: header, form: form(body))
            } catch let error as OAuthError {
                #expect(error.code == .invalidClient)
                #expect(error.status == 401)
                #expect(!error.description.contains("wrong"))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func theBasicSchemeIsCaseInsensitiveAndOnlyBasicIsRead() throws {
        let header = basic("ci", "s3cr%3Aet%2F%2B")
        let encoded = header.dropFirst("Basic ".count)
        for variant in ["basic " + encoded, "BASIC " + encoded, "Basic  " + encoded] {
            #expect(try authenticator.authenticate(authorization: variant, form: form("")).id == "ci", "\(variant)")
        }
        // Another scheme is not Basic: the form must then name the client.
        #expect(try authenticator.authenticate(authorization: "Bearer " + encoded, form: form("client_id=cli")).id == "cli")
        #expect(throws: OAuthError.self) { try authenticator.authenticate(authorization: "Basix " + encoded, form: form("")) }
        #expect(throws: OAuthError.self) { try authenticator.authenticate(authorization: "Basic " + encoded.dropLast(2) + "!", form: form("")) }
    }

    @Test func twoMethodsAtOnceAreInvalidRequest() throws {
        #expect(throws: OAuthError.invalidRequest("use one client authentication method, not several")) {
            try authenticator.authenticate(authorization: basic("ci", "s3cr%3Aet%2F%2B"), form: form("client_secret=x"))
        }
    }

    @Test func secretDigestFromHex() throws {
        let digest = SecretDigest(hashing: "abc")
        #expect(digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretDigest(hex: digest.hex) == digest)
        #expect(SecretDigest(hex: "xyz") == nil)
        #expect(digest.matches("abc"))
        #expect(!digest.matches("abd"))
    }
}
