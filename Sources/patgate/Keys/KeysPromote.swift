import ArgumentParser
import JOSE
import OpenSSL
import PatgateCore

extension KeysCommand {
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Step 2 of a rotation: the staged key signs; the active one retires.",
            discussion: """
                Refuses while the staged key was staged less than keys.jwks_max_age_seconds ago, or \
                while a replica named by --jwks-url does not publish it. The old key stays published \
                (keys.retired) so the tokens it signed keep verifying until they expire.
                """)
        @OptionGroup var location: ConfigOptions
        @Option(help: "The staged key to promote (needed when several are staged).") var kid: String?
        @Option(name: .customLong("jwks-url"), help: "A replica's JWKS URL that must publish the key first (repeatable).")
        var jwksURLs: [String] = []
        @Flag(help: "Skip the wait (not the replica check): only when no verifier caches the JWKS.") var force = false

        func run() async throws {
            var rotation = try await KeyRotation.load(location)
            let candidates = kid.map { kid in rotation.next.filter { $0.key.keyID == kid } } ?? rotation.next
            guard let staged = candidates.first, candidates.count == 1 else {
                throw ValidationErrorText(rotation.next.isEmpty
                    ? "no key is staged; run `patgate keys stage` first"
                    : kid == nil ? "several keys are staged; name one with --kid" : "\(kid!) is not staged")
            }
            let now = UnixTime.now()
            if !force {
                guard let ready = rotation.promotableAt(staged.key.keyID) else {
                    throw ValidationErrorText("""
                        \(staged.key.keyID) was not staged by `patgate keys stage`, so its publication time is unknown; \
                        wait keys.jwks_max_age_seconds after every replica reloaded, then use --force
                        """)
                }
                guard ready <= now else {
                    throw ValidationErrorText("""
                        verifiers may cache a JWKS without \(staged.key.keyID) until \(KeyRotation.time(ready)) \
                        (\(ready - now) s from now, keys.jwks_max_age_seconds); promote then
                        """)
                }
            }
            for probe in try await JWKSProbe.published(at: jwksURLs) {
                switch probe.kids {
                case .success(let kids) where kids.contains(staged.key.keyID): continue
                case .success: throw ValidationErrorText("\(probe.url) does not publish \(staged.key.keyID) yet; reload that replica")
                case .failure(let error): throw ValidationErrorText("\(probe.url) cannot be read (\(error)); nothing changed")
                }
            }
            rotation.journal.staged[staged.key.keyID] = nil
            rotation.journal.retired[rotation.active.key.keyID] = now
            try await rotation.write(active: staged, next: rotation.next.filter { $0.key.keyID != staged.key.keyID },
                                     retired: [rotation.active] + rotation.retired, options: location)
            print("""
                \(staged.key.keyID) is the active key; \(rotation.active.key.keyID) is retired and stays published.
                \(KeyRotation.reloadHint)
                Its tokens expire by \(KeyRotation.time(now + rotation.tokenLifetime)) (policy.max_token_lifetime_seconds); \
                then run `patgate keys retire`.
                """)
        }
    }
}
