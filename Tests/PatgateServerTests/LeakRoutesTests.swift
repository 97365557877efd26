import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OpenSSL
import PatgateCore
@testable import PatgateServer
import PatgateTestSupport
import Testing

/// A store that never answers, for the 503 of `POST /leaks/<partner>`.
struct DownStore: PATStore, UserStore {
    struct Down: Error {}
    func insert(_ token: PersonalAccessToken, valueHash: [UInt8]) async throws { throw Down() }
    func find(valueHash: [UInt8]) async throws -> PersonalAccessToken? { throw Down() }
    func find(id: String) async throws -> PersonalAccessToken? { throw Down() }
    func findWithOwner(valueHash: [UInt8]) async throws -> (token: PersonalAccessToken, ownerDisabled: Bool)? { throw Down() }
    func list(owner: String) async throws -> [PersonalAccessToken] { throw Down() }
    func page(_ query: PATQuery) async throws -> PATPage { throw Down() }
    func revoke(id: String, at time: Int64) async throws -> Bool { throw Down() }
    func rotate(oldID: String, replacement: PersonalAccessToken, valueHash: [UInt8], at time: Int64) async throws { throw Down() }
    func markUsed(_ uses: [PATUse]) async throws { throw Down() }
    func ping() async throws { throw Down() }
    func insert(_ user: User) async throws { throw Down() }
    func find(username: String) async throws -> User? { throw Down() }
    func list() async throws -> [User] { throw Down() }
    func update(_ user: User) async throws -> Bool { throw Down() }
    func count() async throws -> Int { throw Down() }
}

/// The leak routes' answers when the store is down: the signature still comes first, and a
/// value that is not a PAT needs no store at all.
@Suite struct LeakRoutesTests {
    let directory: URL
    let publicKey: PublicKey

    init() throws {
        let directory = try TemporaryPath.directory("patgate-leak-route")
        let key = directory.appendingPathComponent("key.pem").path, pub = directory.appendingPathComponent("pub.pem").path
        try Self.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        try Self.openssl("pkey", "-in", key, "-pubout", "-out", pub)
        self.directory = directory
        publicKey = try PublicKey(pem: String(contentsOfFile: pub, encoding: .utf8))
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func openssl(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
    }

    /// The base64 DER signature `openssl dgst -sha256 -sign` makes, as a scanner sends it.
    func sign(_ body: String) throws -> String {
        try body.write(toFile: path("body"), atomically: true, encoding: .utf8)
        try Self.openssl("dgst", "-sha256", "-sign", path("key.pem"), "-out", path("sig"), path("body"))
        return try Data(contentsOf: URL(fileURLWithPath: path("sig"))).base64EncodedString()
    }

    func app() -> some ApplicationProtocol {
        var hashKey = [UInt8](repeating: 1, count: 32)
        let issuer = PATIssuer(store: DownStore(), users: DownStore(), format: PATFormat(prefix: "pgat")!,
                               hashKey: SecretBytes(wiping: &hashKey), scopeCatalogue: ["openid"])
        let router = Router(context: PatgateRequestContext.self)
        LeakRoutes(leaks: LeakedTokens(issuer: issuer, audit: NoAuditLog()),
                   partners: [PartnerKeys(partner: .github, keys: ["k1": publicKey])]).register(on: router)
        return Application(router: router)
    }

    func headers(_ body: String, keyID: String = "k1") throws -> HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("Github-Public-Key-Identifier")!] = keyID
        headers[HTTPField.Name("Github-Public-Key-Signature")!] = try sign(body)
        return headers
    }

    @Test func aStoreThatDoesNotAnswerIsA503OnlyOnceTheSignatureHolds() async throws {
        let pat = #"[{"token":"\#(try PATFormat(prefix: "pgat")!.generate())","type":"pgat"}]"#
        let notAPAT = #"[{"token":"ghp_123","type":"other"}]"#
        try await app().test(.router) { client in
            try await client.execute(uri: "/leaks/github", method: .post, headers: try headers(pat), body: ByteBuffer(string: pat)) { response in
                #expect(response.status.code == 503)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(String(buffer: response.body).contains(#""error":"temporarily_unavailable""#))
            }
            try await client.execute(uri: "/leaks/github", method: .post, headers: try headers(pat, keyID: "k2"),
                                     body: ByteBuffer(string: pat)) { response in
                #expect(response.status.code == 401)
                #expect(response.headers[.wwwAuthenticate] == #"Github-Public-Key-Signature realm="patgate""#)
                #expect(String(buffer: response.body).contains(#""error":"invalid_signature""#))
            }
            try await client.execute(uri: "/leaks/github", method: .post, headers: try headers(notAPAT),
                                     body: ByteBuffer(string: notAPAT)) { response in
                #expect(response.status.code == 200)
                #expect(String(buffer: response.body).contains(#""label":"false_positive""#))
            }
            try await client.execute(uri: "/leaks/gitlab", method: .post, headers: try headers(notAPAT),
                                     body: ByteBuffer(string: notAPAT)) { response in
                #expect(response.status.code == 404)
            }
        }
    }
}
