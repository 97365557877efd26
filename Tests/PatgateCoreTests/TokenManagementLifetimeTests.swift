import OpenSSL
import PatgateTestSupport
import Testing
@testable import PatgateCore

/// A PAT or a JWT never creates or rotates a token that outlives the PAT it authenticated with;
/// a console session and the CLI are not bound (invariant 7 in docs/ARCHITECTURE.md).
@Suite struct TokenManagementLifetimeTests {
    static let now: Int64 = 1_800_000_000
    let store = MemoryPATStore()
    let audit = MemoryAuditLog()

    func tokens(_ policy: LifetimePolicy = .none) -> TokenManagement {
        var hashKey = [UInt8](repeating: 7, count: 32)
        let issuer = PATIssuer(store: store, users: MemoryUserStore(["alice"]), format: PATFormat(prefix: "pgat")!,
                               hashKey: SecretBytes(wiping: &hashKey), scopeCatalogue: ["openid", "tokens"], now: { Self.now })
        return TokenManagement(issuer: issuer, policy: policy, audit: audit)
    }

    /// A bearer whose PAT expires in an hour.
    func bearer(_ method: Principal.Method, expiresIn: Int64? = 3_600) -> Principal {
        Principal(username: "alice", role: .admin, method: method, address: nil, heldScopes: ["openid", "tokens"],
                  credentialExpiresAt: expiresIn.map { Self.now + $0 })
    }

    @Test func anExpiryPastTheCallersPATIsRefused() async throws {
        for method in [Principal.Method.pat, .jwt] {
            for request in [TokenManagement.Request(name: "in-\(method)", scopes: ["openid"], expiresIn: 3_601),
                            TokenManagement.Request(name: "at-\(method)", scopes: ["openid"], expiresAt: Self.now + 86_400 * 365)] {
                let error = await #expect(throws: PATError.self) { try await tokens().create(request, by: bearer(method)) }
                #expect(error?.code == .outlivesCredential)
                #expect(error?.description.contains("2027-01-15T09:00:00Z") == true)   // now + 1 h, the limit it names
            }
        }
        #expect(store.rows.withLock { $0.isEmpty })
        #expect(audit.lines.contains("policy.rejected"))
        let exact = try await tokens().create(.init(name: "exact", scopes: ["openid"], expiresIn: 3_600), by: bearer(.pat))
        #expect(exact.token.expiresAt == Self.now + 3_600)
    }

    @Test func withoutAnExpiryTheNewTokenEndsWithTheCallersPAT() async throws {
        let bounded = try await tokens().create(.init(name: "a", scopes: ["openid"]), by: bearer(.jwt))
        #expect(bounded.token.expiresAt == Self.now + 3_600)
        // The policy's default, when shorter, still applies.
        let shorter = try await tokens(LifetimePolicy(defaultLifetime: 600)).create(.init(name: "b", scopes: ["openid"]), by: bearer(.pat))
        #expect(shorter.token.expiresAt == Self.now + 600)
    }

    @Test func sessionsTheCLIAndNeverExpiringPATsAreNotBound() async throws {
        let session = Principal(username: "alice", role: .user, method: .session, address: nil)
        #expect(try await tokens().create(.init(name: "s", scopes: ["openid"]), by: session).token.expiresAt == nil)
        let cli = Principal(username: "alice", role: .admin, method: .cli, address: nil)
        #expect(try await tokens().create(.init(name: "c", scopes: ["openid"], expiresIn: 86_400 * 365), by: cli).token.expiresAt
                == Self.now + 86_400 * 365)
        let forever = bearer(.pat, expiresIn: nil)
        #expect(try await tokens().create(.init(name: "f", scopes: ["openid"]), by: forever).token.expiresAt == nil)
    }

    @Test func rotatingNeverExtendsTheCallersPAT() async throws {
        let session = Principal(username: "alice", role: .user, method: .session, address: nil)
        let long = try await tokens().create(.init(name: "long", scopes: ["openid"], expiresIn: 86_400 * 90), by: session)
        let endless = try await tokens().create(.init(name: "endless", scopes: ["openid"]), by: session)
        for old in [long.token, endless.token] {
            let rotated = try await tokens().rotate(old.id, by: bearer(.pat))
            #expect(rotated.token.expiresAt == Self.now + 3_600)
        }
        // A session rotating keeps the original lifetime.
        let again = try await tokens().create(.init(name: "again", scopes: ["openid"], expiresIn: 86_400 * 90), by: session)
        #expect(try await tokens().rotate(again.token.id, by: session).token.expiresAt == Self.now + 86_400 * 90)
    }
}
