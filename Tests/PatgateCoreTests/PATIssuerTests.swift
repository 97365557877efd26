import OpenSSL
import PatgateTestSupport
import Synchronization
import Testing
@testable import PatgateCore

/// An in-memory PATStore for unit tests (the SQLite store has its own tests).
final class MemoryPATStore: PATStore {
    let rows = Mutex<[(token: PersonalAccessToken, hash: [UInt8])]>([])

    func insert(_ token: PersonalAccessToken, valueHash: [UInt8]) async throws {
        try rows.withLock { rows in
            if rows.contains(where: { $0.token.owner == token.owner && $0.token.name == token.name && $0.token.state(at: token.createdAt) == .active }) {
                throw PATError(.duplicateName, "duplicate")
            }
            rows.append((token, valueHash))
        }
    }
    func find(valueHash: [UInt8]) async throws -> PersonalAccessToken? { rows.withLock { $0.first { $0.hash == valueHash }?.token } }
    func find(id: String) async throws -> PersonalAccessToken? { rows.withLock { $0.first { $0.token.id == id }?.token } }
    func findWithOwner(valueHash: [UInt8]) async throws -> (token: PersonalAccessToken, ownerDisabled: Bool)? {
        try await find(valueHash: valueHash).map { ($0, false) }   // no users here
    }
    func list(owner: String) async throws -> [PersonalAccessToken] { rows.withLock { $0.map(\.token).filter { $0.owner == owner } } }
    func revoke(id: String, at time: Int64) async throws -> Bool {
        rows.withLock { rows in
            guard let index = rows.firstIndex(where: { $0.token.id == id }) else { return false }
            if rows[index].token.revokedAt == nil { rows[index].token.revokedAt = time }
            return true
        }
    }
    func page(_ query: PATQuery) async throws -> PATPage {
        let items = rows.withLock { $0.map(\.token) }
            .filter { query.owner == nil || $0.owner == query.owner }
            .filter { query.state == nil || $0.state(at: query.now) == query.state }
        return PATPage(items: Array(items.reversed().prefix(query.limit)), nextCursor: nil)
    }
    func rotate(oldID: String, replacement: PersonalAccessToken, valueHash: [UInt8], at time: Int64) async throws {
        guard try await revoke(id: oldID, at: time) else { throw PATError(.notFound, "unknown") }
        try await insert(replacement, valueHash: valueHash)
    }
    func markUsed(_ uses: [PATUse]) async throws {
        rows.withLock { rows in
            for use in uses {
                for index in rows.indices where rows[index].token.id == use.id {
                    rows[index].token.lastUsedAt = use.time
                    rows[index].token.lastUsedAddress = use.address
                }
            }
        }
    }
    func ping() async throws {}
}

@Suite struct PATIssuerTests {
    let store = MemoryPATStore()
    let users = MemoryUserStore(["alice", "a"], disabled: ["mallory"])
    let clock = TestClock(1_000)

    func issuer() -> PATIssuer {
        let clock = self.clock
        var hashKey = [UInt8](repeating: 7, count: 32)
        return PATIssuer(store: store, users: users, format: PATFormat(prefix: "pgat")!, hashKey: SecretBytes(wiping: &hashKey),
                         scopeCatalogue: ["openid", "profile", "credentials"], now: { clock.now() })
    }

    @Test func storesOnlyAKeyedHashAndIntrospectsTheValue() async throws {
        let (token, value) = try await issuer().create(owner: "alice", name: " my-pat ", scopes: ["openid"], expiresIn: 60)
        #expect(token.name == "my-pat")
        #expect(token.expiresAt == 1_060)
        #expect(value.hasPrefix("pgat_"))
        let stored = store.rows.withLock { $0[0].hash }
        #expect(stored.count == 32)
        #expect(!String(decoding: stored, as: UTF8.self).contains(value))
        #expect(try await issuer().introspect(value)?.id == token.id)
    }

    @Test func expiredRevokedUnknownAndMalformedAreInactive() async throws {
        let (expiring, expiringValue) = try await issuer().create(owner: "a", name: "e", scopes: nil, expiresIn: 10)
        let (revoked, revokedValue) = try await issuer().create(owner: "a", name: "r", scopes: nil, expiresIn: nil)
        try await issuer().revoke(id: revoked.id)
        try await issuer().revoke(id: revoked.id)   // idempotent
        clock.value.withLock { $0 = 1_010 }
        #expect(try await issuer().introspect(expiringValue) == nil)
        #expect(try await issuer().introspect(revokedValue) == nil)
        #expect(try await issuer().introspect("pgat_" + String(repeating: "A", count: 33)) == nil)
        #expect(try await issuer().introspect("garbage") == nil)
        #expect(expiring.scopes == ["openid", "profile", "credentials"])
    }

    @Test func refusesBadNamesScopesAndDuplicates() async throws {
        await #expect(throws: PATError.self) { try await issuer().create(owner: "a", name: "  ", scopes: nil, expiresIn: nil) }
        await #expect(throws: PATError.self) { try await issuer().create(owner: "a", name: String(repeating: "x", count: 101), scopes: nil, expiresIn: nil) }
        await #expect(throws: PATError.self) { try await issuer().create(owner: "a", name: "n", scopes: ["admin"], expiresIn: nil) }
        await #expect(throws: PATError.self) { try await issuer().create(owner: "a", name: "n", scopes: nil, expiresIn: 0) }
        _ = try await issuer().create(owner: "a", name: "dup", scopes: nil, expiresIn: nil)
        await #expect(throws: PATError.self) { try await issuer().create(owner: "a", name: "dup", scopes: nil, expiresIn: nil) }
        await #expect(throws: PATError.self) { try await issuer().revoke(id: "nope") }
    }

    @Test func makesPATsOnlyForExistingEnabledUsers() async throws {
        for owner in ["nobody", "mallory"] {
            let error = await #expect(throws: PATError.self) {
                try await issuer().create(owner: owner, name: "n", scopes: ["openid"], expiresIn: nil)
            }
            #expect(error?.code == .invalidOwner)
            #expect(error?.description.contains("'\(owner)'") == true)
        }
        #expect(store.rows.withLock { $0.isEmpty })
    }

    @Test func formatChecksumCatchesTypos() throws {
        let format = PATFormat(prefix: "pgat")!
        let value = try format.generate()
        #expect(value.count == 5 + 27 + 6)
        #expect(format.isWellFormed(value))
        var typo = Array(value)
        typo[10] = typo[10] == "a" ? "b" : "a"
        #expect(!format.isWellFormed(String(typo)))
        #expect(!format.isWellFormed("ghp_" + value.dropFirst(5)))
        // Every way to be almost right: a typo in the checksum, another length, a byte outside
        // the alphabet, no separator, the prefix's case, a multi-byte character, a checksum
        // that is right for another random part.
        var checksumTypo = Array(value)
        checksumTypo[value.count - 1] = checksumTypo[value.count - 1] == "0" ? "1" : "0"
        let other = try format.generate()
        let body = String(value.dropFirst(5)), head = String(value.dropLast())
        let wrongs: [String] = [String(checksumTypo), value + "0", head, String(value.prefix(10)) + "-" + String(value.dropFirst(11)),
                                "pgat-" + body, "PGAT_" + body, head + "é", String(value.dropLast(6)) + String(other.suffix(6)), "", "pgat_"]
        for wrong in wrongs {
            #expect(!format.isWellFormed(wrong), "\(wrong)")
        }
        for _ in 0..<1_000 { #expect(format.isWellFormed(try format.generate())) }
        #expect(PATFormat(prefix: "Bad-Prefix") == nil)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
