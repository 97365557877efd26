import Foundation
import PatgateCore
import PatgateServer
import PatgateTestSupport
import Testing

/// `patgate serve` with `store.kind: postgres`: the issuer keeps its PATs in PostgreSQL and the
/// gateway exchanges and stops honouring them exactly as on SQLite. Uses the database of
/// `PATGATE_TEST_POSTGRES_URL` itself, with an owner of its own per run.
@Suite struct PostgresLiveServerTests {
    static let url = TestEnvironment.postgresURL

    @Test(.enabled(if: url != nil, "PATGATE_TEST_POSTGRES_URL is not set: serve on PostgreSQL did not run (scripts/test sets it)"))
    func servesExchangesAndRevokesWithThePostgresStore() async throws {
        try await LiveServer.with(environment: [
            "PATGATE_STORE_KIND": "postgres", "PATGATE_STORE_POSTGRES_URL": try #require(Self.url),
            "PATGATE_CACHE_TTL_SECONDS": "0", "PATGATE_CACHE_NEGATIVE_TTL_SECONDS": "0",
        ]) { server in
            #expect(server.components.management?.stores.kind == .postgres)
            #expect(try await server.get("/readyz").status == 200)

            let issuer = try #require(server.components.issuer)
            let owner = "pg-live-\(UUID().uuidString)"
            try await server.ensureUser(owner)
            let (token, pat) = try await issuer.create(owner: owner, name: "ci", scopes: ["openid"], expiresIn: 3_600)
            await #expect(throws: PATError.self) { try await issuer.create(owner: owner, name: "ci", scopes: ["openid"], expiresIn: 60) }

            let form = "\(TokenEndpointTests.grant)&subject_token=\(pat)&scope=openid"
            let exchanged = try await server.post("/token", form, headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), server.basicCI])
            #expect(exchanged.status == 200)
            #expect(try server.json(exchanged)["access_token"] is String)
            #expect(try await issuer.list(owner: owner).map(\.id) == [token.id])

            try await issuer.revoke(id: token.id)
            let refused = try await server.post("/token", form, headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), server.basicCI])
            #expect(refused.status == 400)
        }
    }

    @Test(.enabled(if: url != nil, "PATGATE_TEST_POSTGRES_URL is not set: serve on PostgreSQL did not run (scripts/test sets it)"))
    func aRevocationOnOneReplicaReachesTheOthersCacheWithinASecond() async throws {
        let shared = ["PATGATE_STORE_KIND": "postgres", "PATGATE_STORE_POSTGRES_URL": try #require(Self.url),
                      "PATGATE_CACHE_TTL_SECONDS": "600"]
        try await LiveServer.with(environment: shared) { first in
            let hashKey = ["PATGATE_ISSUER_HASH_KEY_FILE": first.config.issuer.hashKeyFile]
            try await LiveServer.with(environment: shared.merging(hashKey) { $1 }) { second in
                let issuer = try #require(first.components.issuer)
                let owner = "pg-replica-\(UUID().uuidString.lowercased())"
                try await first.ensureUser(owner)
                // PATGATE_TEST_REVOCATION_ROUNDS (default 1) revocations; the worst lag is printed.
                let rounds = Int(ProcessInfo.processInfo.environment["PATGATE_TEST_REVOCATION_ROUNDS"] ?? "") ?? 1
                var worst = Duration.zero
                for round in 0..<rounds {
                    let (token, pat) = try await issuer.create(owner: owner, name: "ci-\(round)", scopes: ["openid"], expiresIn: 3_600)
                    let form = "\(TokenEndpointTests.grant)&client_id=cli&subject_token=\(pat)"
                    #expect(try await second.post("/token", form).status == 200)
                    #expect(try await second.post("/token", form).status == 200)   // cached on the second replica

                    try await issuer.revoke(id: token.id)
                    let clock = ContinuousClock()
                    let revoked = clock.now
                    var status = 200
                    while status == 200, clock.now - revoked < .seconds(3) {
                        status = try await second.post("/token", form).status
                        if status == 200 { try await Task.sleep(for: .milliseconds(10)) }
                    }
                    #expect(status == 400)
                    worst = max(worst, clock.now - revoked)
                }
                #expect(worst < .seconds(1), "the second replica honoured a revoked PAT for \(worst)")
                print("revocation lag to a second replica over \(rounds): worst \(worst)")
            }
        }
    }
}
