import PatgateServer
import Testing

/// `patgate keys` rewrites only the `keys:` section; comments and other sections survive.
@Suite struct KeysSectionEditorTests {
    @Test func replacesEntriesAndKeepsCommentsAndOtherKeys() throws {
        let text = """
            # top comment
            server:
              port: 8080
            keys:
              active: keys/a.pem      # signs new tokens
              # retired: [keys/old.pem]
              jwks_max_age_seconds: 60
            store:
              kind: sqlite
            """
        let edited = try KeysSectionEditor(text: text).replacing(with: .init(
            active: "keys/b.pem", next: ["keys/c.pem"], retired: ["keys/a.pem"]))
        #expect(edited == """
            # top comment
            server:
              port: 8080
            keys:
              active: keys/b.pem
              next: [keys/c.pem]
              retired: [keys/a.pem]
              # retired: [keys/old.pem]
              jwks_max_age_seconds: 60
            store:
              kind: sqlite
            """)
    }

    @Test func blockListsAtAnyIndentAreReplacedWhole() throws {
        let text = """
            keys:
                algorithm: ES256
                retired:
                - old1.pem
                - old2.pem
                active: a.pem
                next:
                    - n.pem
            clients: {ids: []}
            """
        let edited = try KeysSectionEditor(text: text).replacing(with: .init(
            active: "n.pem", retired: ["a.pem", "old1.pem", "old2.pem"], algorithm: "EdDSA"))
        #expect(edited == """
            keys:
                active: n.pem
                algorithm: EdDSA
                retired: [a.pem, old1.pem, old2.pem]
            clients: {ids: []}
            """)
    }

    @Test func awkwardPathsAreQuoted() throws {
        let edited = try KeysSectionEditor(text: "keys:\n  active: a.pem\n").replacing(with: .init(
            active: "my keys/a, \"b\".pem"))
        #expect(edited == "keys:\n  active: \"my keys/a, \\\"b\\\".pem\"\n")
    }

    @Test func aFileWithoutAKeysSectionIsRefused() {
        #expect(throws: ConfigError.self) {
            try KeysSectionEditor(text: "server:\n  port: 1\n  keys: 2\n").replacing(with: .init(active: "a.pem"))
        }
    }
}
