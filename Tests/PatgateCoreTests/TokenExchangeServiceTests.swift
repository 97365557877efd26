import Foundation
import JOSE
import OpenSSL
import Synchronization
import Testing
@testable import PatgateCore

/// A validator that answers from a table and counts calls; `nil` answers throw.
final class TableValidator: SubjectTokenValidator {
    let table: [String: ValidationResult?]
    let calls = Mutex(0)
    init(_ table: [String: ValidationResult?]) { self.table = table }

    struct Down: Error {}

    func validate(_ token: String) async throws -> ValidationResult {
        calls.withLock { $0 += 1 }
        guard let answer = table[token] else { return .inactive }
        guard let answer else { throw Down() }
        return answer
    }
}

@Suite struct TokenExchangeServiceTests {
    let key = try! SigningKey.generate(.es256)
    let alice = SubjectIdentity(subject: "alice", username: "alice", scopes: ["openid", "profile"],
                                expiresAt: 10_000, claims: ["email": .string("a@example.com")])

    func service(_ validator: some SubjectTokenValidator) throws -> TokenExchangeService {
        TokenExchangeService(
            clients: ClientAuthenticator(clients: [OAuthClient(id: "cli", authentication: .none, allowedAudiences: ["api"])]),
            validator: validator,
            policy: ExchangePolicy(maxTokenLifetime: 600, defaultAudiences: ["patgate"]),
            minter: AccessTokenMinter(
                issuer: "https://gw.example", signer: JWTSigner(key: key),
                claimCopy: try ClaimCopy(rules: [.init(from: "username", to: "preferred_username"), .init(from: "email", to: "email")])),
            now: { 9_900 })
    }

    func form(_ token: String, extra: String = "") -> FormBody {
        try! FormBody(parsing: Array(("client_id=cli&grant_type=urn:ietf:params:oauth:grant-type:token-exchange"
            + "&subject_token_type=urn:ietf:params:oauth:token-type:pat&subject_token=\(token)" + extra).utf8))
    }

    @Test func mintsAVerifiableRFC9068Token() async throws {
        let response = try await service(TableValidator(["good": .active(alice)])).exchange(form: form("good"), authorization: nil)
        #expect(response.expiresIn == 100)   // the PAT expires in 100 s: never outlive it
        #expect(response.scopes == ["openid", "profile"])
        let payload = try #require(JWTVerifier(keys: [key]).verify(response.accessToken))
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
        #expect(claims["iss"] as? String == "https://gw.example")
        #expect(claims["sub"] as? String == "alice")
        #expect(claims["aud"] as? String == "patgate")
        #expect(claims["exp"] as? Int == 10_000)
        #expect(claims["iat"] as? Int == 9_900)
        #expect(claims["nbf"] as? Int == 9_900)
        #expect(claims["client_id"] as? String == "cli")
        #expect(claims["scope"] as? String == "openid profile")
        #expect(claims["preferred_username"] as? String == "alice")
        #expect(claims["email"] as? String == "a@example.com")
        #expect(((claims["jti"] as? String)?.count ?? 0) >= 22)
        let header = try #require(Base64URL.decode(response.accessToken.split(separator: ".")[0]))
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: String])
        #expect(fields == ["alg": "ES256", "typ": "at+jwt", "kid": key.keyID])
    }

    @Test func inactiveSubjectTokenIsInvalidRequest() async throws {
        await #expect(throws: OAuthError.invalidRequest("the subject token is invalid, expired or revoked")) {
            try await service(TableValidator([:])).exchange(form: form("unknown"), authorization: nil)
        }
    }

    @Test func unreachableUpstreamFailsClosedWith503() async throws {
        do {
            _ = try await service(TableValidator(["x": nil])).exchange(form: form("x"), authorization: nil)
            Issue.record("expected a failure")
        } catch let error as OAuthError {
            #expect(error.code == .temporarilyUnavailable)
            #expect(error.status == 503)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func clientIsCheckedBeforeTheUpstreamIsAsked() async throws {
        let validator = TableValidator(["good": .active(alice)])
        let body = try FormBody(parsing: Array("client_id=nobody&subject_token=good".utf8))
        await #expect(throws: OAuthError.self) { try await service(validator).exchange(form: body, authorization: nil) }
        #expect(validator.calls.withLock { $0 } == 0)
    }

    @Test func claimCopyMayNotOverwriteRegisteredClaims() {
        #expect(throws: OAuthError.self) { try ClaimCopy(rules: [.init(from: "username", to: "sub")]) }
    }
}
