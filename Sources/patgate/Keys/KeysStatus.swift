import ArgumentParser
import Foundation
import JOSE
import OpenSSL
import PatgateCore

extension KeysCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the active, staged and retired keys, and the next rotation step.",
            discussion: """
                With --jwks-url (one per replica) it also shows which replicas publish each key; \
                it exits with status 1 when a replica misses a key the file names.
                """)
        @OptionGroup var location: ConfigOptions
        @Option(name: .customLong("jwks-url"), help: "A replica's JWKS URL to check (repeatable).")
        var jwksURLs: [String] = []

        func run() async throws {
            let rotation = try await KeyRotation.load(location)
            let now = UnixTime.now()
            func line(_ role: String, _ entry: KeyRotation.Entry, _ note: String) {
                print("\(role.padding(toLength: 8, withPad: " ", startingAt: 0)) \(entry.key.keyID)  "
                      + "\(entry.key.algorithm.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(entry.path)\(note)")
            }
            line("active", rotation.active, "")
            for entry in rotation.next {
                let note = rotation.journal.staged[entry.key.keyID].map { staged in
                    let ready = staged + rotation.publicationWait
                    return ready <= now ? "  (promotable)" : "  (promotable at \(KeyRotation.time(ready)))"
                } ?? "  (staged by hand: wait keys.jwks_max_age_seconds after every replica reloaded)"
                line("next", entry, note)
            }
            for entry in rotation.retired {
                let note = rotation.journal.retired[entry.key.keyID].map { retired in
                    let ready = retired + rotation.tokenLifetime
                    return ready <= now ? "  (removable)" : "  (removable at \(KeyRotation.time(ready)))"
                } ?? "  (retired by hand: keep it until its tokens expired)"
                line("retired", entry, note)
            }
            let named = Set(([rotation.active] + rotation.next + rotation.retired).map(\.key.keyID))
            var missing = false
            for probe in try await JWKSProbe.published(at: jwksURLs) {
                switch probe.kids {
                case .success(let kids):
                    let absent = named.subtracting(kids).sorted()
                    missing = missing || !absent.isEmpty
                    print("\(probe.url): " + (absent.isEmpty ? "publishes every key" : "does not publish \(absent.joined(separator: ", ")) (reload it)"))
                case .failure(let error):
                    missing = true
                    print("\(probe.url): cannot be read: \(error)")
                }
            }
            if missing { throw ExitCode(1) }
        }
    }
}
