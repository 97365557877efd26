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
            func note(_ ready: Int64?, _ step: String, byHand: String) -> String {
                guard let ready else { return "  (\(byHand))" }
                return ready <= now ? "  (\(step))" : "  (\(step) at \(KeyRotation.time(ready)))"
            }
            for entry in rotation.next {
                line("next", entry, note(rotation.promotableAt(entry.key.keyID), "promotable",
                                         byHand: "staged by hand: wait keys.jwks_max_age_seconds after every replica reloaded"))
            }
            for entry in rotation.retired {
                line("retired", entry, note(rotation.removableAt(entry.key.keyID), "removable",
                                            byHand: "retired by hand: keep it until its tokens expired"))
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
