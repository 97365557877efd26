import OpenSSL
import PatgateTestSupport
import Testing
@testable import PatgateCore

/// A caller never grants more scope than it holds (invariant 7 in docs/ARCHITECTURE.md).
@Suite struct TokenManagementScopeTests {
    let store = MemoryPATStore()
    let audit = MemoryAuditLog()

    var tokens: TokenManagement {
        var hashKey = [UInt8](repeating: 7, count: 32)
        let issuer = PATIssuer(store: store, users: MemoryUserStore(["alice"]), format: PATFormat(prefix: "pgat")!,
                               hashKey: SecretBytes(wiping: &hashKey), scopeCatalogue: ["openid", "profile", "credentials", "tokens"])
        return TokenManagement(issuer: issuer, policy: .none, audit: audit)
    }

    func caller(_ method: Principal.Method, holding scopes: [String]?) -> Principal {
        Principal(username: "alice", role: .admin, method: method, address: nil, heldScopes: scopes)
    }

    @Test func aBearerCreatesOnlyScopesItHolds() async throws {
        for method in [Principal.Method.pat, .jwt] {
            let bearer = caller(method, holding: ["openid", "tokens"])
            let wider = await #expect(throws: PATError.self) {
                try await tokens.create(.init(name: "up-\(method)", scopes: ["openid", "credentials"]), by: bearer)
            }
            #expect(wider?.code == .insufficientScope)
            #expect(wider?.description.contains("credentials") == true)
            let narrow = caller(method, holding: ["openid"])
            let management = await #expect(throws: PATError.self) {
                try await tokens.create(.init(name: "t-\(method)", scopes: ["tokens"]), by: narrow)
            }
            #expect(management?.code == .insufficientScope)
        }
        #expect(store.rows.withLock { $0.isEmpty })
        #expect(audit.lines.contains("policy.rejected"))
        let held = try await tokens.create(.init(name: "same", scopes: ["openid", "tokens"]), by: caller(.pat, holding: ["openid", "tokens"]))
        #expect(held.token.scopes == ["openid", "tokens"])
    }

    @Test func anUnknownScopeIsStillInvalidScope() async throws {
        let error = await #expect(throws: PATError.self) {
            try await tokens.create(.init(name: "x", scopes: ["admin"]), by: caller(.pat, holding: ["tokens"]))
        }
        #expect(error?.code == .invalidScope)
    }

    @Test func aSessionGrantsAnyCatalogueScope() async throws {
        let created = try await tokens.create(.init(name: "all", scopes: ["openid", "credentials", "tokens"]), by: caller(.session, holding: nil))
        #expect(created.token.scopes == ["openid", "credentials", "tokens"])
    }

    @Test func rotatingNeedsEveryScopeOfTheRotatedToken() async throws {
        let wide = try await tokens.create(.init(name: "wide", scopes: ["openid", "credentials"]), by: caller(.session, holding: nil))
        let error = await #expect(throws: PATError.self) {
            try await tokens.rotate(wide.token.id, by: caller(.jwt, holding: ["openid", "tokens"]))
        }
        #expect(error?.code == .insufficientScope)
        #expect(try await tokens.token(wide.token.id, for: caller(.session, holding: nil)).revokedAt == nil)
        let rotated = try await tokens.rotate(wide.token.id, by: caller(.pat, holding: ["openid", "credentials", "tokens"]))
        #expect(rotated.token.scopes == ["openid", "credentials"])
    }
}
