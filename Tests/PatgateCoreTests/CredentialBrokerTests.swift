import Foundation
import JOSE
import Synchronization
import Testing
@testable import PatgateCore

/// A provider that records what happens to it and fails where told to.
final class RecordingProvider: CredentialProvider {
    enum Failure: Sendable { case none, prepare, issue, skip }
    let name: String
    let failure: Failure
    let events = Mutex<[String]>([])
    let requests = Mutex<[CredentialRequest]>([])

    init(_ name: String, failure: Failure = .none) {
        self.name = name
        self.failure = failure
    }

    var publicSettings: [CredentialField] { [CredentialField("\(name)_host", "db.example"), CredentialField("\(name)_port", 5432)] }

    struct Prepared: PreparedCredential {
        let provider: RecordingProvider
        let request: CredentialRequest
        func issue() async throws(CredentialError) -> IssuedCredential {
            if provider.failure == .issue { throw CredentialError(.unavailable, "\(provider.name) is unreachable") }
            provider.events.withLock { $0.append("issue") }
            return IssuedCredential(fields: [CredentialField("\(provider.name)_secret", "s3cr3t-\(provider.name)")],
                                    id: "\(provider.name)-id", expiresAt: request.tokenExpiresAt)
        }
        func withdraw(_ credential: IssuedCredential) async {
            provider.events.withLock { $0.append("withdraw \(credential.id)") }
        }
    }

    func prepare(_ request: CredentialRequest) throws(CredentialError) -> (any PreparedCredential)? {
        requests.withLock { $0.append(request) }
        switch failure {
        case .prepare: throw CredentialError(.invalidRequest, "the csr is malformed")
        case .skip: return nil
        default: return Prepared(provider: self, request: request)
        }
    }
}

/// Keeps audit events in memory.
final class MemoryAuditLog: AuditLog {
    let events = Mutex<[AuditEvent]>([])
    func record(_ event: AuditEvent) { events.withLock { $0.append(event) } }
    var lines: String { events.withLock { $0.map { String(decoding: $0.jsonLine, as: UTF8.self) }.joined() } }
}

@Suite struct CredentialBrokerTests {
    let key = try! SigningKey.generate(.es256)
    let alice = SubjectIdentity(subject: "alice", scopes: ["openid", "credentials"], expiresAt: 10_000)

    func service(_ providers: [RecordingProvider], audit: any AuditLog = NoAuditLog()) -> TokenExchangeService {
        TokenExchangeService(
            clients: ClientAuthenticator(clients: [OAuthClient(id: "cli", authentication: .none, allowedAudiences: ["api"])]),
            validator: TableValidator(["good": .active(alice)]),
            policy: ExchangePolicy(maxTokenLifetime: 600, defaultAudiences: ["patgate"]),
            minter: AccessTokenMinter(issuer: "https://gw.example", signer: JWTSigner(key: key)),
            credentials: CredentialBroker(providers: providers, audit: audit, now: { 9_900 }),
            now: { 9_900 })
    }

    func form(scope: String?) -> FormBody {
        try! FormBody(parsing: Array(("client_id=cli&grant_type=urn:ietf:params:oauth:grant-type:token-exchange"
            + "&subject_token_type=urn:ietf:params:oauth:token-type:pat&subject_token=good"
            + (scope.map { "&scope=\($0)" } ?? "")).utf8))
    }

    func json(_ response: TokenResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.jsonBody)) as? [String: Any])
    }

    @Test func withoutTheCredentialsScopeNoProviderIsCalled() async throws {
        let s3 = RecordingProvider("s3")
        let response = try await service([s3]).exchange(form: form(scope: "openid"), authorization: nil)
        #expect(response.credentials.isEmpty)
        #expect(s3.requests.withLock { $0.isEmpty })
        #expect(try json(response)["s3_secret"] == nil)
    }

    @Test func credentialsAreFlattenedIntoTheResponse() async throws {
        let s3 = RecordingProvider("s3"), db = RecordingProvider("db")
        let response = try await service([s3, db]).exchange(form: form(scope: "openid credentials"), authorization: nil)
        let body = try json(response)
        #expect(body["s3_secret"] as? String == "s3cr3t-s3")
        #expect(body["db_secret"] as? String == "s3cr3t-db")
        #expect(body["db_port"] as? Int == 5432)
        #expect(body["access_token"] is String)
        let request = try #require(s3.requests.withLock { $0.first })
        #expect(request.notAfter == 10_000)          // the PAT's expiry bounds every credential
        #expect(request.tokenExpiresAt == 10_000)    // the PAT expires before the 600 s maximum
        #expect(request.accessToken == response.accessToken)
        #expect(request.scopes == ["openid", "credentials"])
        #expect(request.audiences == ["patgate"])
        // Providers see the provider parameters, never the PAT or a client secret.
        #expect(request.form.values("subject_token").isEmpty)
        #expect(try request.form.single("client_id") == "cli")
    }

    @Test func aProviderWithNothingToIssueAddsNoFields() async throws {
        let x509 = RecordingProvider("x509", failure: .skip)
        let response = try await service([x509]).exchange(form: form(scope: "credentials"), authorization: nil)
        #expect(response.credentials.isEmpty)
    }

    @Test func aBadParameterFailsBeforeAnythingIsIssued() async throws {
        let db = RecordingProvider("db"), x509 = RecordingProvider("x509", failure: .prepare)
        let error = await #expect(throws: OAuthError.self) {
            try await service([db, x509]).exchange(form: form(scope: "credentials"), authorization: nil)
        }
        #expect(error?.code == .invalidRequest)
        #expect(db.events.withLock { $0.isEmpty })
    }

    @Test func aFailingProviderWithdrawsWhatWasIssuedAndReturnsNoToken() async throws {
        let db = RecordingProvider("db"), s3 = RecordingProvider("s3", failure: .issue)
        let audit = MemoryAuditLog()
        let error = await #expect(throws: OAuthError.self) {
            try await service([db, s3], audit: audit).exchange(form: form(scope: "credentials"), authorization: nil)
        }
        #expect(error?.code == .temporarilyUnavailable)
        #expect(error?.status == 503)
        #expect(db.events.withLock { $0 } == ["issue", "withdraw db-id"])
        let kinds = audit.events.withLock { $0.map(\.kind) }
        #expect(kinds == [.credentialFailed, .credentialWithdrawn])
        #expect(!audit.lines.contains("s3cr3t"))
    }

    @Test func theAuditLogNamesTheCredentialButNeverItsSecret() async throws {
        let audit = MemoryAuditLog()
        _ = try await service([RecordingProvider("s3")], audit: audit)
            .exchange(form: form(scope: "credentials"), authorization: nil, address: "192.0.2.7")
        let event = try #require(audit.events.withLock { $0.first })
        #expect(event.kind == .credentialIssued)
        #expect(event.actor == "alice")
        #expect(event.target == "s3-id")
        #expect(event.address == "192.0.2.7")
        #expect(event.detail?.contains("provider=s3") == true)
        #expect(!audit.lines.contains("s3cr3t"))
    }
}
