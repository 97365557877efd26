import ArgumentParser
import JOSE
import OpenSSL
import PatgateCore

extension KeysCommand {
    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Step 3 of a rotation: stop publishing retired keys whose tokens have expired.",
            discussion: """
                Removes from keys.retired every key retired by `patgate keys promote` more than \
                policy.max_token_lifetime_seconds ago (or only --kid). The PEM file stays; delete it \
                once every replica reloaded.
                """)
        @OptionGroup var location: ConfigOptions
        @Option(help: "Only this retired key.") var kid: String?
        @Flag(help: "Remove it even if its tokens may not have expired, or it was retired by hand.") var force = false

        func run() async throws {
            var rotation = try await KeyRotation.load(location)
            let now = UnixTime.now()
            let chosen = rotation.retired.filter { kid == nil || $0.key.keyID == kid }
            if let kid, chosen.isEmpty { throw ValidationErrorText("\(kid) is not a retired key") }
            let removable = chosen.filter { entry in
                force || rotation.removableAt(entry.key.keyID).map { $0 <= now } == true
            }
            for entry in chosen where !removable.contains(where: { $0.key.keyID == entry.key.keyID }) {
                let when = rotation.removableAt(entry.key.keyID).map { "after \(KeyRotation.time($0))" }
                    ?? "once its tokens expired (retired by hand: --force)"
                print("keeping \(entry.key.keyID): tokens it signed may still be in use; retire it \(when)")
            }
            guard !removable.isEmpty else {
                if kid != nil { throw ExitCode(1) }
                print("nothing to retire")
                return
            }
            let gone = Set(removable.map(\.key.keyID))
            for id in gone { rotation.journal.retired[id] = nil }
            try await rotation.write(active: rotation.active, next: rotation.next,
                                     retired: rotation.retired.filter { !gone.contains($0.key.keyID) }, options: location)
            for entry in removable { print("removed \(entry.key.keyID) (\(entry.path)) from keys.retired") }
            print(KeyRotation.reloadHint)
        }
    }
}
