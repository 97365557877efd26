import ArgumentParser
import Foundation
import JOSE
import OpenSSL
import PatgateCore
import PatgateServer

extension KeysCommand {
    struct Stage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Step 1 of a rotation: write a new key and list it in keys.next.",
            discussion: """
                Every replica publishes a staged key in its JWKS after its next reload, and none signs \
                with it. Promote it once every verifier's JWKS cache has seen it: \
                keys.jwks_max_age_seconds after the last replica reloaded.
                """)
        @OptionGroup var location: ConfigOptions
        @Option(help: "ES256, ES384, RS256, PS256 or EdDSA (default: the active key's).") var alg: String?
        @Option(help: "The key file to write, relative to the data directory, as keys.active (default: keys/signing-<kid>.pem).")
        var out: String?

        func run() async throws {
            var rotation = try await KeyRotation.load(location)
            let algorithm: SignatureAlgorithm
            if let alg {
                guard let chosen = SignatureAlgorithm(rawValue: alg) else {
                    throw ValidationError("--alg must be one of \(SignatureAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                algorithm = chosen
            } else {
                algorithm = rotation.active.key.algorithm
            }
            let key = try SigningKey.generate(algorithm)
            let spelled = out ?? "keys/signing-\(key.keyID.prefix(8)).pem"
            let folder = URL(fileURLWithPath: rotation.config.dataDirectory)
            let path = spelled.hasPrefix("/") ? spelled : folder.appendingPathComponent(spelled).path
            guard !FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("\(path) exists; choose another --out")
            }
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            try FirstStart.writeSecret(try key.privateKeyPEM(), to: path)
            let now = UnixTime.now()
            rotation.journal.staged[key.keyID] = now
            do {
                try await rotation.write(active: rotation.active,
                                         next: rotation.next + [.init(path: spelled, key: key)],
                                         retired: rotation.retired, options: location)
            } catch {
                try? FileManager.default.removeItem(atPath: path)
                throw error
            }
            print("""
                staged \(key.keyID) (\(algorithm.rawValue)) in \(spelled); keys.next of \(rotation.file) lists it.
                \(KeyRotation.reloadHint)
                Then, no sooner than \(KeyRotation.time(now + rotation.publicationWait)) (keys.jwks_max_age_seconds \
                after the reload), run `patgate keys promote`.
                """)
        }
    }
}
