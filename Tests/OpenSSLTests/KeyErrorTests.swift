import CryptoTestSupport
import Foundation
import OpenSSL
import Testing

/// Bad keys fail with the right code and a message that quotes no key material.
@Suite("key loading errors")
struct KeyErrorTests {
    func expectError(
        _ code: CryptoError.Code, notQuoting pem: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected CryptoError \(code)", sourceLocation: sourceLocation)
        } catch let error as CryptoError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
            for line in pem.pemBodyLines where line.count >= 8 {
                #expect(!error.description.contains(line), "error quotes the PEM", sourceLocation: sourceLocation)
                #expect(!error.description.contains(line.prefix(16)), sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected CryptoError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func garbage() {
        for text in ["", "hello", "not a key\n", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"] {
            expectError(.invalidKey, notQuoting: text) { _ = try PrivateKey(pem: text) }
        }
        let body = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
        let broken = "-----BEGIN PRIVATE KEY-----\n\(body)\n-----END PRIVATE KEY-----\n"
        expectError(.invalidKey, notQuoting: broken) { _ = try PrivateKey(pem: broken) }
        let notBase64 = "-----BEGIN EC PRIVATE KEY-----\n!!!! secret-ish text that is not base64 !!!!\n-----END EC PRIVATE KEY-----\n"
        expectError(.invalidKey, notQuoting: notBase64) { _ = try PrivateKey(pem: notBase64) }
    }

    @Test func publicKeyOnly() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        _ = try cli.generate("key.pem", CLIKey.p256PKCS8.arguments)
        let publicPEM = String(decoding: try cli.run(["pkey", "-in", cli.path("key.pem"), "-pubout"]), as: UTF8.self)
        #expect(publicPEM.contains("BEGIN PUBLIC KEY"))
        expectError(.invalidKey, notQuoting: publicPEM) { _ = try PrivateKey(pem: publicPEM) }
        do {
            _ = try PrivateKey(pem: publicPEM)
        } catch let error as CryptoError {
            #expect(error.message.contains("public key"))
        }
    }

    @Test func encryptedKeysFailWithoutPrompting() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let pkcs8 = try cli.generate(
            "enc8.pem", CLIKey.p256PKCS8.arguments + ["-aes256", "-pass", "pass:correct horse"])
        #expect(pkcs8.contains("ENCRYPTED PRIVATE KEY"))
        expectError(.invalidKey, notQuoting: pkcs8) { _ = try PrivateKey(pem: pkcs8) }
        let traditional = try cli.generate(
            "enc1.pem", ["genrsa", "-traditional", "-aes256", "-passout", "pass:correct horse", "2048"])
        #expect(traditional.contains("Proc-Type: 4,ENCRYPTED"))
        expectError(.invalidKey, notQuoting: traditional) { _ = try PrivateKey(pem: traditional) }
    }

    @Test func smallRSAKeyIsRejected() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let pem = try cli.generate("rsa1024.pem", ["genrsa", "1024"])
        expectError(.unsupportedKey, notQuoting: pem) { _ = try PrivateKey(pem: pem) }
        expectError(.unsupportedKey, notQuoting: pem) { _ = try PrivateKey(pem: pem, algorithm: .ps256) }
    }

    @Test func unsupportedCurvesAndTypes() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let k256 = try cli.generate("k1.pem", ["ecparam", "-name", "secp256k1", "-genkey", "-noout"])
        expectError(.unsupportedKey, notQuoting: k256) { _ = try PrivateKey(pem: k256) }
        let ed448 = try cli.generate("ed448.pem", ["genpkey", "-algorithm", "ed448"])
        expectError(.unsupportedKey, notQuoting: ed448) { _ = try PrivateKey(pem: ed448) }
    }

    @Test func algorithmMismatch() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let rsa = try cli.generate("rsa.pem", CLIKey.rsaPKCS8.arguments)
        let p256 = try cli.generate("p256.pem", CLIKey.p256PKCS8.arguments)
        let ed = try cli.generate("ed.pem", CLIKey.ed25519.arguments)
        expectError(.algorithmMismatch, notQuoting: rsa) { _ = try PrivateKey(pem: rsa, algorithm: .es256) }
        expectError(.algorithmMismatch, notQuoting: rsa) { _ = try PrivateKey(pem: rsa, algorithm: .edDSA) }
        expectError(.algorithmMismatch, notQuoting: p256) { _ = try PrivateKey(pem: p256, algorithm: .es384) }
        expectError(.algorithmMismatch, notQuoting: p256) { _ = try PrivateKey(pem: p256, algorithm: .rs256) }
        expectError(.algorithmMismatch, notQuoting: p256) { _ = try PrivateKey(pem: p256, algorithm: .ps256) }
        expectError(.algorithmMismatch, notQuoting: ed) { _ = try PrivateKey(pem: ed, algorithm: .es256) }
        expectError(.algorithmMismatch, notQuoting: rsa) {
            _ = try PrivateKey(contentsOfFile: cli.path("rsa.pem"), algorithm: .es256)
        }
    }

    @Test func missingOrUnreadableFile() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let missing = cli.path("no-such-key.pem")
        do {
            _ = try PrivateKey(contentsOfFile: missing)
            Issue.record("expected an error")
        } catch let error as CryptoError {
            #expect(error.code == .ioFailed)
            #expect(error.message.contains(missing))
        }
        expectError(.ioFailed, notQuoting: "") { _ = try PrivateKey(contentsOfFile: cli.directory.path) }

        try cli.write("garbage.pem", Data("definitely not a key".utf8))
        do {
            _ = try PrivateKey(contentsOfFile: cli.path("garbage.pem"))
            Issue.record("expected an error")
        } catch let error as CryptoError {
            #expect(error.code == .invalidKey)
            #expect(error.message.contains("garbage.pem"))
            #expect(!error.message.contains("definitely"))
        }
    }
}
