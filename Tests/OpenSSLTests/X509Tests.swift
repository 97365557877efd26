import CryptoTestSupport
import Foundation
import OpenSSL
import Testing

/// CSRs made by the openssl CLI, certificates issued by `CertificateAuthority`, checked by the CLI.
@Suite("X.509 client certificates")
struct X509Tests {
    static let now: Int64 = 1_800_000_000

    /// A CSR made by `openssl req` for a new key of `kind`, with a subject and a requested SAN
    /// that the CA must ignore.
    static func csr(_ cli: OpenSSLCLI, _ kind: CLIKey, name: String = "req") throws -> String {
        _ = try cli.generate("\(name).key", kind.arguments)
        try cli.run(["req", "-new", "-key", cli.path("\(name).key"), "-subj", "/CN=mallory/O=Evil",
                     "-addext", "subjectAltName=DNS:evil.example,URI:spiffe://patgate.local/user/admin",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-out", cli.path("\(name).csr")])
        return try String(contentsOfFile: cli.path("\(name).csr"), encoding: .utf8)
    }

    static func derBase64URL(_ cli: OpenSSLCLI, name: String = "req") throws -> String {
        try cli.run(["req", "-in", cli.path("\(name).csr"), "-outform", "DER", "-out", cli.path("\(name).der")])
        return Base64URL.encode(Array(try cli.read("\(name).der")))
    }

    static func issue(_ ca: CertificateAuthority, _ csr: String) throws -> Certificate {
        try ca.issue(for: CertificateSigningRequest(csr), commonName: "alice@example.com",
                     uri: "spiffe://patgate.local/user/alice%40example.com", notBefore: now, notAfter: now + 600)
    }

    @Test(arguments: [
        (CLIKey.p256PKCS8, PublicKeyInfo.ec(curve: "P-256")), (.p384PKCS8, .ec(curve: "P-384")),
        (.ed25519, .ed25519), (.rsaPKCS8, .rsa(bits: 2048)),
    ])
    func csrInPEMAndBase64URLDERIsReadAndVerified(kind: CLIKey, expected: PublicKeyInfo) throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let pem = try Self.csr(cli, kind)
        #expect(try CertificateSigningRequest(pem).keyInfo == expected)
        #expect(try CertificateSigningRequest(Self.derBase64URL(cli)).keyInfo == expected)
    }

    @Test func unsupportedCurveIsReportedAsSuch() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        _ = try cli.generate("k.key", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"])
        try cli.run(["req", "-new", "-key", cli.path("k.key"), "-subj", "/CN=x", "-out", cli.path("k.csr")])
        let csr = try CertificateSigningRequest(String(contentsOfFile: cli.path("k.csr"), encoding: .utf8))
        #expect(csr.keyInfo == .ec(curve: "secp256k1"))
    }

    @Test func tamperedOrMalformedCSRIsRefused() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        _ = try Self.csr(cli, .p256PKCS8)
        _ = try Self.derBase64URL(cli)
        var der = Array(try cli.read("req.der"))
        // Flip one bit inside the CN "mallory" (part of the signed CertificationRequestInfo).
        let name = Array("mallory".utf8)
        let index = try #require((0...(der.count - name.count)).first { Array(der[$0..<($0 + name.count)]) == name })
        der[index] ^= 0x01
        for input in [Base64URL.encode(der), "not a csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
                      Base64URL.encode(Array(try cli.read("req.der")) + [0])] {
            let error = #expect(throws: CryptoError.self) { try CertificateSigningRequest(input) }
            #expect(error?.code == .invalidCSR)
            #expect(error?.message.contains("mallory") == false)
        }
    }

    @Test(arguments: [SignatureAlgorithm.es256, .es384, .rs256, .edDSA])
    func issuedCertificateVerifiesAsClientCertificate(algorithm: SignatureAlgorithm) throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let created = try CertificateAuthority.create(algorithm: algorithm, commonName: "test CA", organization: "patgate",
                                                      notBefore: Self.now - 60, days: 1)
        try cli.write("ca.pem", Data(created.certificatePEM.utf8))
        let certificate = try Self.issue(created.authority, Self.csr(cli, .p256PKCS8))
        try cli.write("leaf.pem", Data((try certificate.pem() + created.authority.chainPEM).utf8))
        try cli.run(["verify", "-CAfile", cli.path("ca.pem"), "-purpose", "sslclient",
                     "-attime", String(Self.now + 1), cli.path("leaf.pem")])
        #expect(try certificate.notBefore() == Self.now)
        #expect(try certificate.notAfter() == Self.now + 600)
        #expect(certificate.serialHex.count == 32)
    }

    @Test func issuedCertificateCarriesOnlyTheGatewaysIdentityAndExtensions() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let created = try CertificateAuthority.create(algorithm: .es256, commonName: "test CA", notBefore: Self.now, days: 1)
        let certificate = try Self.issue(created.authority, Self.csr(cli, .ed25519))
        try cli.write("leaf.pem", Data(try certificate.pem().utf8))
        let text = String(decoding: try cli.run(["x509", "-in", cli.path("leaf.pem"), "-noout", "-text",
                                                 "-nameopt", "utf8,sep_comma_plus_space"]), as: UTF8.self)
        #expect(text.contains("Subject: CN=alice@example.com"))
        #expect(text.contains("URI:spiffe://patgate.local/user/alice%40example.com"))
        #expect(!text.contains("evil") && !text.contains("mallory") && !text.contains("user/admin"))
        #expect(text.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"))
        #expect(text.contains("TLS Web Client Authentication"))
        #expect(text.contains("X509v3 Subject Key Identifier") && text.contains("X509v3 Authority Key Identifier"))
        #expect(text.contains("Public Key Algorithm: ED25519"))
        #expect(certificate.keyInfo == .ed25519)
        let serials = try Set((0..<20).map { _ in try Self.issue(created.authority, Self.csr(cli, .p256PKCS8, name: "s")).serialHex })
        #expect(serials.count == 20)
    }

    @Test func oneAuthorityIssuesConcurrently() async throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let created = try CertificateAuthority.create(algorithm: .es256, commonName: "shared", notBefore: Self.now, days: 1)
        let csr = try CertificateSigningRequest(Self.csr(cli, .p256PKCS8))
        let authority = created.authority
        let serials = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let certificate = try authority.issue(for: csr, commonName: "user\(index)", uri: "urn:x:\(index)",
                                                          notBefore: Self.now, notAfter: Self.now + 60)
                    #expect(try certificate.notAfter() == Self.now + 60)
                    return certificate.serialHex
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(serials.count == 64)
        #expect(authority.notAfter == Self.now + 86_400)
    }

    @Test func base64URLDERMayEndWithANewlineOrPadding() throws {
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        _ = try Self.csr(cli, .p256PKCS8)
        let der = try Self.derBase64URL(cli)
        for text in [der + "\n", " " + der, der + "=", der + "==\r\n"] {
            #expect(try CertificateSigningRequest(text).keyInfo == .ec(curve: "P-256"))
        }
        #expect(throws: CryptoError.self) { try CertificateSigningRequest(der + "A\n") }
    }

    @Test func caThatDoesNotFitIsRefused() throws {
        let one = try CertificateAuthority.create(algorithm: .es256, commonName: "one", notBefore: Self.now, days: 1)
        let two = try CertificateAuthority.create(algorithm: .es256, commonName: "two", notBefore: Self.now, days: 1)
        let mismatch = #expect(throws: CryptoError.self) {
            try CertificateAuthority(certificatePEM: one.certificatePEM, keyPEM: two.keyPEM)
        }
        #expect(mismatch?.code == .invalidCertificate)
        #expect(mismatch?.message.contains("PRIVATE") == false)

        // A leaf certificate is not a CA, even with its own key.
        let cli = try OpenSSLCLI()
        defer { cli.cleanUp() }
        let csr = try Self.csr(cli, .p256PKCS8)
        let leaf = try Self.issue(one.authority, csr)
        let leafKey = try String(contentsOfFile: cli.path("req.key"), encoding: .utf8)
        let notCA = #expect(throws: CryptoError.self) {
            try CertificateAuthority(certificatePEM: leaf.pem(), keyPEM: leafKey)
        }
        #expect(notCA?.code == .invalidCertificate)
        #expect(throws: CryptoError.self) { try CertificateAuthority(certificatePEM: "garbage", keyPEM: one.keyPEM) }
    }

    @Test func caLoadedFromItsPEMIssuesLikeTheOriginal() throws {
        let created = try CertificateAuthority.create(algorithm: .es384, commonName: "reload", notBefore: Self.now, days: 2)
        let reloaded = try CertificateAuthority(certificatePEM: created.certificatePEM, keyPEM: created.keyPEM)
        #expect(reloaded.chainPEM == created.certificatePEM)
        #expect(reloaded.keyInfo == .ec(curve: "P-384"))
        #expect(try reloaded.certificate.notAfter() == Self.now + 2 * 86_400)
        #expect(try Certificate.chain(pem: created.certificatePEM + created.certificatePEM).count == 2)
    }
}
