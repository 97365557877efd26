import ArgumentParser
import Foundation
import JOSE
import OpenSSL
import PatgateServer

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage signing keys.", subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new PEM private key (mode 0600) and print its kid.",
            discussion: "To rotate: set keys.active to the new file and move the old one to keys.retired.")
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
