import Testing
@testable import PatgateAdapters

@Suite struct PostgresRoleNameTests {
    static let hostile = [
        "alice", "O'Brien", "\"; DROP ROLE patgate_admin; --", "x'); DROP TABLE users; --", "Zoë Çelik 山田",
        "robert\"); GRANT pg_read_server_files TO public;--", "\\'\\\"\\\\", "", "___", "😀", "a\u{0}b",
        String(repeating: "verylongname", count: 40), String(repeating: "é", count: 200),
    ]

    @Test(arguments: hostile)
    func everyNameIsAPlainIdentifierWithinPostgresLimits(user: String) throws {
        let name = try PostgresRoleName.make(prefix: "patgate_", user: user)
        #expect(name.utf8.count <= 63)
        #expect(name.hasPrefix("patgate_"))
        #expect(PostgresRoleName.matches(name, prefix: "patgate_"))
        #expect(name.utf8.allSatisfy { $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }, "\(name)")
        let random = name.split(separator: "_").last.map(String.init) ?? ""
        #expect(random.count == 12)
    }

    @Test func sanitisingKeepsLettersAndDigitsAndCollapsesTheRest() {
        #expect(PostgresRoleName.sanitised("Alice", limit: 30) == "alice")
        #expect(PostgresRoleName.sanitised("O'Brien", limit: 30) == "o_brien")
        #expect(PostgresRoleName.sanitised("\"; DROP ROLE x; --", limit: 30) == "drop_role_x")
        #expect(PostgresRoleName.sanitised("Zoë", limit: 30) == "zo")
        #expect(PostgresRoleName.sanitised("___", limit: 30) == "user")
        #expect(PostgresRoleName.sanitised("", limit: 30) == "user")
        #expect(PostgresRoleName.sanitised(String(repeating: "ab", count: 50), limit: 10) == "ababababab")
    }

    @Test func theRandomPartMakesEveryNameUnique() throws {
        let names = try (0..<200).map { _ in try PostgresRoleName.make(prefix: "p_", user: "alice") }
        #expect(Set(names).count == names.count)
    }

    @Test func theLongestPrefixStillLeavesRoomForUserAndRandomPart() throws {
        let prefix = String(repeating: "p", count: PostgresRoleName.maxPrefixBytes)
        let name = try PostgresRoleName.make(prefix: prefix, user: String(repeating: "u", count: 100))
        #expect(name.utf8.count == 63)
        #expect(PostgresLoginSettings.prefixProblem(prefix) == nil)
    }

    @Test func badPrefixesAndRolesAreRefused() {
        #expect(PostgresLoginSettings.prefixProblem("patgate_") == nil)
        #expect(PostgresLoginSettings.prefixProblem("") != nil)
        #expect(PostgresLoginSettings.prefixProblem("Patgate") != nil)
        #expect(PostgresLoginSettings.prefixProblem("1abc") != nil)
        #expect(PostgresLoginSettings.prefixProblem("pg_logins") != nil)
        #expect(PostgresLoginSettings.prefixProblem("a\"b") != nil)
        #expect(PostgresLoginSettings.prefixProblem(String(repeating: "a", count: 25)) != nil)
        #expect(PostgresLoginSettings.roleProblem("Read Only \"team\"") == nil)   // quoted by the server
        #expect(PostgresLoginSettings.roleProblem("") != nil)
        #expect(PostgresLoginSettings.roleProblem(String(repeating: "r", count: 64)) != nil)
    }

    @Test func onlyNamesOfTheSamePrefixAndAlphabetMatch() {
        #expect(PostgresRoleName.matches("patgate_alice_abc", prefix: "patgate_"))
        #expect(!PostgresRoleName.matches("postgres", prefix: "patgate_"))
        #expect(!PostgresRoleName.matches("patgate_Alice", prefix: "patgate_"))
        #expect(!PostgresRoleName.matches("patgate_a\"b", prefix: "patgate_"))
    }
}
