import Foundation
import JSON
import PatgateAdapters
import PatgateCore

/// The validation cache's memory per entry, measured as RSS growth while it fills.
enum CacheMemory {
    /// Who the cached PATs belong to, and what the cache keeps of them.
    enum Shape: String, CaseIterable {
        /// 1,000 users, each with many PATs (the usual case); the server's claim list.
        case sharedOwners = "1,000 owners"
        /// Every PAT a different user (the worst case); the server's claim list.
        case distinctOwners = "every PAT a different owner"
        /// As `distinctOwners`, keeping every upstream claim (what the cache did before).
        case allClaims = "every PAT a different owner, all claims kept"

        var owners: Int { self == .sharedOwners ? 1_000 : Int.max }
        /// The default `policy.copy_claims` reads `username` only.
        var keptClaims: Set<String>? { self == .allClaims ? nil : ["username"] }
    }

    struct Result {
        let entries: Int
        let shape: Shape
        let bytes: Int

        var bytesPerEntry: Double { Double(bytes) / Double(entries) }
        var line: String { "cache memory, \(entries) entries, \(shape.rawValue): \(Int(bytesPerEntry)) B/entry" }

        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.field("entries", Int64(entries))
            json.field("shape", shape.rawValue)
            json.field("bytes", Int64(bytes))
            json.key("bytes_per_entry")
            json.raw(Array(String(bytesPerEntry).utf8))
            json.endObject()
        }
    }

    /// The identity the built-in issuer's introspection answer parses into (IntrospectionParser):
    /// sub = username = owner, two scopes, exp, and the other members as claims.
    static func identity(owner: String, index: Int) -> SubjectIdentity {
        let id = String(index, radix: 16)
        let jti = String(repeating: "0", count: max(0, 24 - id.utf8.count)) + id
        return SubjectIdentity(
            subject: owner, username: owner, scopes: ["openid", "profile"], expiresAt: 4_000_000_000,
            claims: ["username": .string(owner), "iat": .integer(1_800_000_000), "token_type": .string("Bearer"),
                     "client_id": .string("pat"), "jti": .string(jti), "pat_name": .string("ci-runner-\(index)")])
    }

    /// A stand-in upstream: every token is active, owned by one of `owners` users.
    struct Upstream: SubjectTokenValidator {
        let owners: Int

        func validate(_ token: String) async throws -> ValidationResult {
            let index = Int(token.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0x7fff_ffff })
            let owner = "user-\(String(owners == Int.max ? index : index % owners))"
            return .active(identity(owner: owner, index: index))
        }
    }

    static func measure(entries: Int, shape: Shape) async throws -> Result {
        let cache = try CachingTokenValidator(
            upstream: Upstream(owners: shape.owners),
            settings: CacheSettings(positiveTTL: 3600, maxEntries: entries + 1, keptClaims: shape.keptClaims))
        let before = residentBytes()
        for index in 0..<entries {
            _ = try await cache.validate(token(index))
        }
        precondition(cache.count == entries, "the cache dropped entries")
        let after = residentBytes()
        withExtendedLifetime(cache) {}
        return Result(entries: entries, shape: shape, bytes: after - before)
    }

    /// A PAT-shaped token, different for every index.
    static func token(_ index: Int) -> String {
        let digits = String(index, radix: 36)
        return "pgat_" + String(repeating: "0", count: 33 - digits.utf8.count) + digits
    }

    /// VmRSS of this process, in bytes.
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0) * 1024
        }
        return 0
    }
}
