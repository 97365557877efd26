import ArgumentParser
import Foundation
import JOSE
import OpenSSL
import PatgateServer

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage and rotate the signing keys.",
        discussion: """
            A rotation without a failed verification (README, "Rotating the signing key"): `stage` a \
            new key, reload every replica, wait keys.jwks_max_age_seconds, `promote` it, reload, wait \
            policy.max_token_lifetime_seconds, `retire` the old one, reload. `status` shows where \
            the rotation stands. Each step edits keys.* in the configuration file.
            """,
        subcommands: [Status.self, Stage.self, Promote.self, Retire.self, Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new PEM private key (mode 0600) and print its kid.",
            discussion: """
                For a key made elsewhere; `patgate keys stage` writes one and stages it in one step.
                """)
        @Option(help: "ES256, ES384, RS256, PS256 or EdDSA.") var alg: String = "ES256"
        @Option(help: "The file to write (default: signing-<kid>.pem in the current folder).") var out: String?

        func run() async throws {
            guard let algorithm = SignatureAlgorithm(rawValue: alg) else {
                throw ValidationError("--alg must be one of \(SignatureAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let key = try SigningKey.generate(algorithm)
            let path = out ?? "signing-\(key.keyID.prefix(8)).pem"
            guard !FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("\(path) exists; choose another --out")
            }
            try FirstStart.writeSecret(try key.privateKeyPEM(), to: path)
            print("wrote \(path) (\(algorithm.rawValue), kid \(key.keyID))")
        }
    }
}
