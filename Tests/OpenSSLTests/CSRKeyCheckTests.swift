import CryptoTestSupport
import Foundation
import OpenSSL
import Testing

/// Keys whose CSR signature would prove nothing, or that RFC 5480 rules out, are refused before
/// the request is trusted.
@Suite("CSR key checks")
struct CSRKeyCheckTests {
    /// A CSR made by `openssl req` for the key that `arguments` (an `openssl` command) generates.
    static func csr(_ cli: OpenSSLCLI, _ arguments: [String]) throws -> String {
        _ = try cli.generate("k.key", arguments)
        try cli.run(["req", "-new", "-key", cli.path("k.key"), "-subj", "/CN=mallory", "-out", cli.path("k.csr")])
        return try String(contentsOfFile: cli.path("k.csr"), encoding: .utf8)
    }

    static func rsa(exponent: Int) -> [String] {
        ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_pubexp:\(exponent)"]
    }

    @Test(arguments: [3, 17, 257])
    func rsaKeyWithASmallPublicExponentIsRefused(exponent: Int) throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let pem = try Self.csr(cli, Self.rsa(exponent: exponent))
        let error = #expect(throws: CryptoError.self) { try CertificateSigningRequest(pem) }
        #expect(error?.code == .invalidCSR)
        #expect(error?.message.contains("exponent") == true)
    }

    @Test(arguments: [65_537, 65_539])
    func rsaKeyWithAnExponentOfAtLeast65537IsAccepted(exponent: Int) throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let pem = try Self.csr(cli, Self.rsa(exponent: exponent))
        #expect(try CertificateSigningRequest(pem).keyInfo == .rsa(bits: 2048))
    }

    @Test func ecKeyWithExplicitCurveParametersIsRefused() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        // The parameters are P-256's, spelled out instead of named.
        let pem = try Self.csr(cli, ["ecparam", "-name", "prime256v1", "-param_enc", "explicit", "-genkey", "-noout"])
        let spki = try cli.run(["req", "-in", cli.path("k.csr"), "-noout", "-text"])
        #expect(String(decoding: spki, as: UTF8.self).contains("Field Type: prime-field"))
        let error = #expect(throws: CryptoError.self) { try CertificateSigningRequest(pem) }
        #expect(error?.code == .invalidCSR)
        #expect(error?.message.contains("explicit") == true)
    }

    @Test func ecKeyOnANamedCurveIsAccepted() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let pem = try Self.csr(cli, ["ecparam", "-name", "prime256v1", "-param_enc", "named_curve", "-genkey", "-noout"])
        #expect(try CertificateSigningRequest(pem).keyInfo == .ec(curve: "P-256"))
    }
}
