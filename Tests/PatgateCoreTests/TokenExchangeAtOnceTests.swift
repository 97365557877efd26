import Foundation
import JOSE
import Synchronization
import Testing
@testable import PatgateCore

/// A validator that remembers some answers (`rememberedResult`) and knows more (`validate`),
/// counting both.
final class RememberingValidator: SubjectTokenValidator {
    let remembered: [String: ValidationResult]
    let known: [String: ValidationResult]
    let lookups = Mutex(0)
    let validations = Mutex(0)

    init(remembered: [String: ValidationResult], known: [String: ValidationResult] = [:]) {
        self.remembered = remembered
        self.known = known
    }

    func validate(_ token: String) async throws -> ValidationResult {
        validations.withLock { $0 += 1 }
        return remembered[token] ?? known[token] ?? .inactive
    }

    func rememberedResult(_ token: String) -> ValidationResult? {
        lookups.withLock { $0 += 1 }
        return remembered[token]
    }
}

/// Records what the exchange tells the metrics.
final class RecordingObserver: ExchangeObserver {
    let outcomes = Mutex<[String]>([])
    func exchanged(clientID: String?, error: OAuthError?) {
        outcomes.withLock { $0.append("\(clientID ?? "-") \(error.map { $0.code.rawValue } ?? "ok")") }
    }
    var timesSigning: Bool { false }
    func signed(nanoseconds: Int64) {}
}

/// `exchangeAtOnce` and `begin`/`finish`, the exchange the server answers on the event loop:
/// for a remembered subject it gives what `exchange` gives, it declines, counting nothing,
/// whatever needs a wait, and `finish` gives what `exchange` gives after the wait.
@Suite struct TokenExchangeAtOnceTests {
    let key = try! SigningKey.generate(.es256)
    let alice = SubjectIdentity(subject: "alice", scopes: ["openid", "profile", "credentials"], expiresAt: 10_000)

    func service(_ validator: RememberingValidator, observer: RecordingObserver? = nil,
                 credentials: [RecordingProvider] = []) -> TokenExchangeService {
        TokenExchangeService(
            clients: ClientAuthenticator(clients: [
                OAuthClient(id: "cli", authentication: .none, allowedAudiences: ["api"]),
                OAuthClient(id: "intro", authentication: .none, grants: [.introspection]),
            ]),
            validator: validator,
            policy: ExchangePolicy(maxTokenLifetime: 600, defaultAudiences: ["patgate"]),
            minter: AccessTokenMinter(issuer: "https://gw.example", signer: JWTSigner(key: key)),
            credentials: CredentialBroker(providers: credentials, audit: NoAuditLog(), now: { 9_900 }),
            observer: observer,
            now: { 9_900 })
    }

    func form(_ token: String, client: String = "cli", extra: String = "") -> FormBody {
        try! FormBody(parsing: Array(("client_id=\(client)&grant_type=urn:ietf:params:oauth:grant-type:token-exchange"
            + "&subject_token_type=urn:ietf:params:oauth:token-type:pat&subject_token=\(token)" + extra).utf8))
    }

    func claims(_ response: TokenResponse) throws -> [String: Any] {
        let payload = try #require(JWTVerifier(keys: [key]).verify(response.accessToken))
        return try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
    }

    @Test func aRememberedSubjectIsExchangedAtOnceAsExchangeWould() async throws {
        let validator = RememberingValidator(remembered: ["good": .active(alice)])
        let observer = RecordingObserver()
        let exchange = service(validator, observer: observer)
        let request = form("good", extra: "&scope=openid%20profile&audience=api")
        let atOnce = try #require(exchange.exchangeAtOnce(form: request, authorization: nil)).get()
        let awaited = try await exchange.exchange(form: request, authorization: nil)
        #expect(atOnce.scopes == awaited.scopes && atOnce.expiresIn == awaited.expiresIn)
        #expect(atOnce.issuedTokenType == awaited.issuedTokenType)
        var first = try claims(atOnce), second = try claims(awaited)
        #expect(first.removeValue(forKey: "jti") as? String != second.removeValue(forKey: "jti") as? String)
        #expect(NSDictionary(dictionary: first) == NSDictionary(dictionary: second))
        #expect(first["aud"] as? String == "api" && first["scope"] as? String == "openid profile")
        #expect(observer.outcomes.withLock { $0 } == ["cli ok", "cli ok"])
    }

    @Test func anUnrememberedSubjectNeedsTheWaitAndCountsNothing() async throws {
        let validator = RememberingValidator(remembered: [:], known: ["fresh": .active(alice)])
        let observer = RecordingObserver()
        let exchange = service(validator, observer: observer)
        #expect(exchange.exchangeAtOnce(form: form("fresh"), authorization: nil) == nil)
        #expect(observer.outcomes.withLock { $0 }.isEmpty, "the exchange that follows is counted once")
        _ = try await exchange.exchange(form: form("fresh"), authorization: nil)
        #expect(observer.outcomes.withLock { $0 } == ["cli ok"])
        #expect(validator.validations.withLock { $0 } == 1)
    }

    @Test func anAdmittedExchangeIsFinishedAsExchangeWouldAndCountedOnce() async throws {
        let validator = RememberingValidator(remembered: [:], known: ["fresh": .active(alice), "revoked": .inactive])
        let observer = RecordingObserver()
        let exchange = service(validator, observer: observer)
        let request = form("fresh", extra: "&scope=openid&audience=api")
        guard case .admitted(let admitted) = exchange.begin(form: request, authorization: nil) else {
            Issue.record("a subject nobody remembers is admitted to wait"); return
        }
        #expect(observer.outcomes.withLock { $0 }.isEmpty && validator.validations.withLock { $0 } == 0)
        let finished = try await exchange.finish(admitted).get()
        let awaited = try await exchange.exchange(form: request, authorization: nil)
        var first = try claims(finished), second = try claims(awaited)
        #expect(first.removeValue(forKey: "jti") as? String != second.removeValue(forKey: "jti") as? String)
        #expect(NSDictionary(dictionary: first) == NSDictionary(dictionary: second))
        #expect(observer.outcomes.withLock { $0 } == ["cli ok", "cli ok"])

        // An inactive subject fails after the wait, as `exchange` fails.
        guard case .admitted(let revoked) = exchange.begin(form: form("revoked"), authorization: nil),
              case .failure(let error) = await exchange.finish(revoked) else { Issue.record("revoked"); return }
        #expect(error.code == .invalidRequest)
        #expect(observer.outcomes.withLock { $0 }.last == "cli invalid_request")
        #expect(validator.validations.withLock { $0 } == 3)
    }

    @Test func failuresBeforeAndAfterTheLookupAreDecidedAtOnce() throws {
        let validator = RememberingValidator(remembered: ["good": .active(alice), "revoked": .inactive])
        let observer = RecordingObserver()
        let exchange = service(validator, observer: observer)
        let cases: [(FormBody, OAuthError.Code)] = [
            (form("good", client: "nobody"), .invalidClient),
            (form("good", client: "intro"), .unauthorizedClient),
            (form("good", extra: "&actor_token=x"), .invalidRequest),
            (form("revoked"), .invalidRequest),
            (form("good", extra: "&scope=admin"), .invalidScope),
            (form("good", extra: "&audience=elsewhere"), .invalidTarget),
        ]
        for (request, code) in cases {
            let outcome = try #require(exchange.exchangeAtOnce(form: request, authorization: nil))
            guard case .failure(let error) = outcome else { Issue.record("\(code) expected"); continue }
            #expect(error.code == code)
        }
        #expect(observer.outcomes.withLock { $0 }.count == cases.count, "each failure counted once")
        #expect(validator.validations.withLock { $0 } == 0)
    }

    @Test func anExchangeThatMayIssueCredentialsWaits() async throws {
        let validator = RememberingValidator(remembered: ["good": .active(alice)])
        let provider = RecordingProvider("pg")
        let exchange = service(validator, credentials: [provider])
        // Asked for, or not excluded by naming the scopes: the exchange must run the providers.
        #expect(exchange.exchangeAtOnce(form: form("good", extra: "&scope=openid%20credentials"), authorization: nil) == nil)
        #expect(exchange.exchangeAtOnce(form: form("good"), authorization: nil) == nil)
        #expect(validator.lookups.withLock { $0 } == 0, "declined before the cache was asked")
        guard case .needsAddress = exchange.begin(form: form("good"), authorization: nil) else {
            Issue.record("credentials need the client's address: the router runs them"); return
        }
        let named = try #require(exchange.exchangeAtOnce(form: form("good", extra: "&scope=openid"), authorization: nil)).get()
        #expect(named.credentials.isEmpty && named.scopes == ["openid"])
        let issued = try await exchange.exchange(form: form("good"), authorization: nil)
        #expect(issued.credentials.contains { $0.name == "pg_secret" })
        #expect(provider.events.withLock { $0 } == ["issue"])
    }
}
