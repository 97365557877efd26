import Foundation
import PatgateTestSupport

/// Runs the `openssl` command-line tool in a private temporary directory, so that
/// tests load keys exactly as the CLI writes them and cross-check with it.
package struct OpenSSLCLI {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String

        package init(description: String) { self.description = description }
    }

    package static let executable = "/usr/bin/openssl"

    /// A fresh directory, removed by `cleanUp()`.
    package let directory: URL

    package init() throws {
        directory = try TemporaryPath.directory("jose-tests")
    }

    package func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    package func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Runs `openssl arguments…` in `directory`; returns stdout, throws on a non-zero exit.
    @discardableResult
    package func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: OpenSSLCLI.executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "openssl \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                    + String(decoding: stderr, as: UTF8.self))
        }
        return stdout
    }

    /// Runs a key-generating command with `-out name` and returns the file's text.
    package func generate(_ name: String, _ arguments: [String]) throws -> String {
        // Right after the subcommand: `genrsa` wants its bit count last.
        try run([arguments[0], "-out", path(name)] + arguments.dropFirst())
        return try String(contentsOfFile: path(name), encoding: .utf8)
    }

    package func write(_ name: String, _ data: Data) throws {
        try data.write(to: directory.appendingPathComponent(name))
    }

    package func read(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }
}

/// How the CLI makes each kind of key, as an operator would.
package enum CLIKey: String, CaseIterable, CustomStringConvertible, Sendable {
    case p256PKCS8, p256SEC1, p256SEC1WithParameters, p384PKCS8, p384SEC1WithParameters
    case rsaPKCS8, rsaPKCS1, ed25519

    package var description: String { rawValue }

    package var arguments: [String] {
        switch self {
        case .p256PKCS8: ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
        case .p256SEC1: ["ecparam", "-name", "prime256v1", "-genkey", "-noout"]
        case .p256SEC1WithParameters: ["ecparam", "-name", "prime256v1", "-genkey"]
        case .p384PKCS8: ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]
        case .p384SEC1WithParameters: ["ecparam", "-name", "secp384r1", "-genkey"]
        case .rsaPKCS8: ["genrsa", "2048"]
        case .rsaPKCS1: ["genrsa", "-traditional", "2048"]
        case .ed25519: ["genpkey", "-algorithm", "ed25519"]
        }
    }

    /// The PEM label the CLI is expected to write.
    package var expectedLabel: String {
        switch self {
        case .p256PKCS8, .p384PKCS8, .rsaPKCS8, .ed25519: "-----BEGIN PRIVATE KEY-----"
        case .p256SEC1, .p256SEC1WithParameters, .p384SEC1WithParameters: "-----BEGIN EC PRIVATE KEY-----"
        case .rsaPKCS1: "-----BEGIN RSA PRIVATE KEY-----"
        }
    }
}
