import Testing
@testable import PatgateCore

@Suite struct ExchangePolicyTests {
    let policy = ExchangePolicy(maxTokenLifetime: 600, defaultAudiences: ["patgate"])
    let client = OAuthClient(
        id: "ci", authentication: .none, allowedScopes: ["openid", "profile", "credentials"],
        allowedAudiences: ["https://api.example.com", "storage"], maxTokenLifetime: 300)
    let subject = SubjectIdentity(subject: "alice", scopes: ["openid", "profile", "email"])

    func request(scopes: [String]? = nil, audiences: [String] = [], resources: [String] = []) -> TokenExchangeRequest {
        TokenExchangeRequest(subjectToken: "t", scopes: scopes, audiences: audiences, resources: resources)
    }

    @Test func noScopeRequestedGivesPATScopesWithinClientScopes() throws {
        let decision = try policy.decide(request(), client: client, subject: subject, now: 1_000)
        #expect(decision.scopes == ["openid", "profile"])
    }

    @Test func downscopingKeepsOnlyTheRequestedScopes() throws {
        #expect(try policy.decide(request(scopes: ["profile"]), client: client, subject: subject, now: 0).scopes == ["profile"])
    }

    @Test(arguments: [["email"], ["credentials"], ["openid", "admin"]])
    func askingForMoreIsInvalidScope(_ scopes: [String]) {
        // email: the PAT has it but the client may not; credentials: the client may but the PAT lacks it.
        #expect(throws: OAuthError.self) {
            try policy.decide(request(scopes: scopes), client: client, subject: subject, now: 0)
        }
        do { _ = try policy.decide(request(scopes: scopes), client: client, subject: subject, now: 0) } catch {
            #expect(error.code == .invalidScope)
        }
    }

    @Test func audiencesAndResourcesBecomeAud() throws {
        let decision = try policy.decide(
            request(audiences: ["storage", "https://api.example.com"], resources: ["https://api.example.com"]),
            client: client, subject: subject, now: 0)
        #expect(decision.audiences == ["storage", "https://api.example.com"])
        #expect(try policy.decide(request(), client: client, subject: subject, now: 0).audiences == ["patgate"])
    }

    @Test(arguments: [
        ([String](), ["https://evil.example.com"]), (["evil"], [String]()),
        ([String](), ["storage"]), ([String](), ["https://api.example.com#frag"]), ([String](), ["relative/path"]),
    ])
    func targetsOutsideTheAllowListAreInvalidTarget(_ audiences: [String], _ resources: [String]) {
        do {
            _ = try policy.decide(request(audiences: audiences, resources: resources), client: client, subject: subject, now: 0)
            Issue.record("expected invalid_target")
        } catch {
            #expect(error.code == .invalidTarget)
        }
    }

    @Test func lifetimeIsTheSmallestOfClientGlobalAndPAT() throws {
        #expect(try policy.lifetime(client: client, subject: subject, now: 0) == 300)
        let open = OAuthClient(id: "x", authentication: .none)
        #expect(try policy.lifetime(client: open, subject: subject, now: 0) == 600)
        var expiring = subject
        expiring.expiresAt = 1_042
        #expect(try policy.lifetime(client: client, subject: expiring, now: 1_000) == 42)
        expiring.expiresAt = 1_000
        #expect(throws: OAuthError.self) { try policy.lifetime(client: client, subject: expiring, now: 1_000) }
    }
}
