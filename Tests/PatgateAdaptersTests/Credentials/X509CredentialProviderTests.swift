import Foundation
import OpenSSL
import PatgateAdapters
import PatgateCore
import PatgateTestSupport
import Testing

@Suite("x509 credential provider")
struct X509CredentialProviderTests {
    static let now: Int64 = 1_800_000_000

    /// A P-256 CSR from the openssl CLI.
    static let csr: String = {
        let directory = TemporaryPath.url("x509")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", directory.appendingPathComponent("k.pem").path, "-subj", "/CN=x"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try? process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }()

    func provider(caDays: Int = 1, template: String = X509Settings.defaultSubjectURI) throws -> X509CredentialProvider {
        let created = try CertificateAuthority.create(algorithm: .es256, commonName: "test", notBefore: Self.now - 60, days: caDays)
        var problem: String?
        let uri = try #require(SubjectURITemplate(template, problem: &problem))
        return X509CredentialProvider(settings: X509Settings(authority: created.authority, certificatePath: "ca.pem",
                                                             keyPath: "ca-key.pem", subjectURI: uri))
    }

    func request(_ form: String, user: String = "alice", lifetime: Int64 = 600, notAfter: Int64? = nil) throws -> CredentialRequest {
        CredentialRequest(subject: SubjectIdentity(subject: user, scopes: ["credentials"]), clientID: "ci",
                          accessToken: "jwt", issuedAt: Self.now, tokenExpiresAt: Self.now + lifetime, notAfter: notAfter,
                          form: try FormBody(parsing: Array(form.utf8)))
    }

    static func form(_ csr: String) -> String {
        "grant_type=x&csr=" + (csr.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    @Test func noCSRMeansNothingToIssue() throws {
        #expect(try provider().prepare(request("grant_type=x")) == nil)
        #expect(try provider().prepare(request("grant_type=x&csr=")) == nil)
    }

    @Test func badOrRepeatedCSRIsAnInvalidRequest() throws {
        let provider = try provider()
        for form in ["csr=abc", "csr=%2D%2D%2D%2D%2DBEGIN", Self.form(Self.csr) + "&csr=abc"] {
            #expect(throws: CredentialError.self) { try provider.prepare(request(form)) }
            let exchange = try request(form)
            do {
                _ = try provider.prepare(exchange)
            } catch {
                #expect(error.kind == .invalidRequest)
            }
        }
    }

    @Test func certificateLivesAsLongAsTheTokenCappedByThePAT() async throws {
        let provider = try provider()
        let prepared = try #require(try provider.prepare(request(Self.form(Self.csr), notAfter: Self.now + 100)))
        let issued = try await prepared.issue()
        #expect(issued.expiresAt == Self.now + 100)
        #expect(issued.fields.map(\.name) == ["x509_certificate", "x509_expiration"])
        #expect(issued.fields[1].value == .string(RFC3339.format(Self.now + 100)))
        guard case .string(let chain) = issued.fields[0].value else { throw CancellationError() }
        let leaf = try Certificate(pem: chain)
        #expect(leaf.serialHex == issued.id)
        #expect(try leaf.notBefore() == Self.now && leaf.notAfter() == Self.now + 100)
        #expect(try Certificate.chain(pem: chain).count == 2)

        let uncapped = try await #require(try provider.prepare(request(Self.form(Self.csr)))).issue()
        #expect(uncapped.expiresAt == Self.now + 600)
    }

    @Test func expiredPATOrLongUserOrShortLivedCAIsRefused() throws {
        let kinds: [(CredentialRequest, X509CredentialProvider, CredentialError.Kind)] = [
            (try request(Self.form(Self.csr), notAfter: Self.now), try provider(), .notPermitted),
            (try request(Self.form(Self.csr), user: String(repeating: "a", count: 65)), try provider(), .notPermitted),
            (try request(Self.form(Self.csr), lifetime: 2 * 86_400), try provider(caDays: 1), .unavailable),
        ]
        for (request, provider, kind) in kinds {
            do {
                _ = try provider.prepare(request)
                Issue.record("expected \(kind)")
            } catch {
                #expect(error.kind == kind)
            }
        }
    }

    @Test func subjectThatCannotBeACommonNameIsNotPermitted() throws {
        let provider = try provider()
        // 64 scalars pass; the limit is not counted in grapheme clusters, which combining marks shrink.
        let combining = String(repeating: "e\u{0301}", count: 32)
        #expect(combining.count == 32 && combining.unicodeScalars.count == 64)
        #expect(try provider.prepare(request(Self.form(Self.csr), user: combining)) != nil)
        #expect(try provider.prepare(request(Self.form(Self.csr), user: String(repeating: "ü", count: 64))) != nil)
        let refused = ["", combining + "e", "alice\nCN=admin", "tab\there", "nul\u{0}", "del\u{7F}", "c1\u{85}",
                       "flag\u{1F1E9}\u{1F1EA}" + String(repeating: "\u{1F1E9}\u{1F1EA}", count: 30)]
        for user in refused {
            let exchange = try request(Self.form(Self.csr), user: user)
            do {
                _ = try provider.prepare(exchange)
                Issue.record("expected a refusal for \(user.debugDescription)")
            } catch {
                #expect(error.kind == .notPermitted)
            }
        }
    }

    @Test func keyPolicy() throws {
        let settings = try provider().settings
        #expect(settings.refusal(of: .ec(curve: "P-256")) == nil)
        #expect(settings.refusal(of: .ec(curve: "P-384")) == nil)
        #expect(settings.refusal(of: .ed25519) == nil)
        #expect(settings.refusal(of: .rsa(bits: 2048)) == nil)
        #expect(settings.refusal(of: .rsa(bits: 1024))?.contains("1024 bits") == true)
        #expect(settings.refusal(of: .ec(curve: "secp256k1"))?.contains("secp256k1") == true)
        #expect(settings.refusal(of: .other("ED448")) != nil)
    }

    @Test func subjectURITemplate() throws {
        var problem: String?
        let template = try #require(SubjectURITemplate("spiffe://patgate.local/user/{user}", problem: &problem))
        #expect(template.render(user: "alice") == "spiffe://patgate.local/user/alice")
        #expect(template.render(user: "a b/c?d,DNS:e%ü") == "spiffe://patgate.local/user/a%20b%2Fc%3Fd%2CDNS%3Ae%25%C3%BC")
        for bad in ["spiffe://x/user", "spiffe://x/{user}/{user}", "spiffe://x y/{user}", "{user}", "x/{user}", "spiffe://ü/{user}"] {
            var problem: String?
            #expect(SubjectURITemplate(bad, problem: &problem) == nil)
            #expect(problem != nil)
        }
    }
}
