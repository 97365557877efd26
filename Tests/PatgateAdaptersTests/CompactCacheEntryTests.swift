import Testing
@testable import PatgateAdapters
import PatgateCore

/// The cache keeps a small identity: the claims that are read, shared scope lists, one string
/// for `sub` and `username` when they agree; callers see the same answer on a miss and a hit.
@Suite struct CompactCacheEntryTests {
    struct FixedUpstream: SubjectTokenValidator {
        func validate(_ token: String) async throws -> ValidationResult {
            .active(SubjectIdentity(
                subject: "alice", username: "alice", scopes: ["openid", "profile"], expiresAt: 9_000,
                claims: ["username": .string("alice"), "jti": .string("0123456789abcdef01234567"),
                         "department": .string("ops"), "iat": .integer(1)]))
        }
    }

    func cache(keeping claims: Set<String>?) throws -> CachingTokenValidator {
        try CachingTokenValidator(upstream: FixedUpstream(), settings: CacheSettings(keptClaims: claims), now: { 1_000 })
    }

    func identity(_ result: ValidationResult) throws -> SubjectIdentity {
        guard case .active(let identity) = result else { throw CancellationError() }
        return identity
    }

    @Test func keepsOnlyTheClaimsThatAreRead() async throws {
        let cache = try cache(keeping: ["username", "department"])
        let miss = try identity(try await cache.validate("t1"))
        let hit = try identity(try await cache.validate("t1"))
        #expect(cache.statistics.hits == 1)
        #expect(miss == hit)
        // `username` is read from the field, so only `department` stays among the claims.
        #expect(hit.claims == ["department": .string("ops")])
        #expect(hit.subject == "alice" && hit.username == "alice")
        #expect(hit.scopes == ["openid", "profile"] && hit.expiresAt == 9_000)
    }

    @Test func keepsEveryClaimWithoutAList() async throws {
        let cache = try cache(keeping: nil)
        _ = try await cache.validate("t1")
        let hit = try identity(try await cache.validate("t1"))
        #expect(hit.claims.count == 4)
    }

    @Test func theCopiedClaimsAreTheSameFromACompactIdentity() async throws {
        let copy = try ClaimCopy(rules: [.init(from: "username", to: "preferred_username"),
                                         .init(from: "department", to: "dept")])
        let cache = try cache(keeping: copy.sourceClaims)
        let full = try identity(try await FixedUpstream().validate("t1"))
        _ = try await cache.validate("t1")
        let compact = try identity(try await cache.validate("t1"))
        #expect(copy.claims(for: compact).map { $0.name } == copy.claims(for: full).map { $0.name })
        #expect(copy.claims(for: compact).map { $0.value } == copy.claims(for: full).map { $0.value })
    }

    @Test func scopeListsAreSharedBetweenEntries() {
        var compactor = SubjectCompactor(keptClaims: [])
        let first = compactor.compact(SubjectIdentity(subject: "a", scopes: ["openid", "profile"]))
        let second = compactor.compact(SubjectIdentity(subject: "b", scopes: ["openid", "profile"]))
        #expect(first.scopes == second.scopes)
        first.scopes.withUnsafeBufferPointer { a in
            second.scopes.withUnsafeBufferPointer { b in #expect(a.baseAddress == b.baseAddress) }
        }
    }
}
