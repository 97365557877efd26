import ArgumentParser
import Foundation
import OpenSSL
import PatgateServer

struct CACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca", abstract: "Manage the CA that signs X.509 client certificates.", subcommands: [Init.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a CA key (mode 0600) and a self-signed CA certificate for credentials.x509.",
            discussion: """
                Writes the files credentials.x509.ca_certificate and ca_key name, by default \
                <data-dir>/secrets/ca.pem and <data-dir>/secrets/ca-key.pem. While credentials.x509.enabled \
                is unset, patgate serve turns the x509 provider on when these default files exist, so \
                `patgate ca init` followed by a (re)start is all the embedded default needs. Clients then \
                send a PKCS#10 CSR in the `csr` parameter of a token exchange with the credentials scope.
                """)
        @OptionGroup var location: ConfigOptions
        @Option(help: "The CA key's algorithm: ES256 (P-256), ES384 (P-384), RS256 (RSA-2048) or EdDSA (Ed25519).")
        var alg: String = "ES256"
        @Option(name: .customLong("common-name"), help: "The CA certificate's subject CN.")
        var commonName: String = "patgate client CA"
        @Option(help: "The CA certificate's subject O (none by default).")
        var organization: String?
        @Option(help: "Days the CA certificate is valid.")
        var days: Int = 3650
        @Option(name: .customLong("cert-out"), help: "Write the certificate here instead (default: from the configuration).")
        var certOut: String?
        @Option(name: .customLong("key-out"), help: "Write the key here instead (default: from the configuration).")
        var keyOut: String?
        @Flag(help: "Replace existing CA files. Certificates issued by the old CA stop verifying against the new one.")
        var force = false

        func validate() throws {
            guard (1...36_500).contains(days) else { throw ValidationError("--days must be from 1 to 36500") }
            guard !commonName.isEmpty, commonName.unicodeScalars.count <= 64 else { throw ValidationError("--common-name must be 1 to 64 characters") }
            if let organization, organization.isEmpty || organization.unicodeScalars.count > 64 {
                throw ValidationError("--organization must be 1 to 64 characters")
            }
        }

        func run() async throws {
            guard let algorithm = SignatureAlgorithm(rawValue: alg), algorithm != .ps256 else {
                throw ValidationError("--alg must be one of ES256, ES384, RS256, EdDSA")
            }
            let configLocation = ConfigLocation(options: location)
            let (configPath, _) = try configLocation.resolve(createIfMissing: false)
            let exists = FileManager.default.fileExists(atPath: configPath)
            let files = try await ConfigLoader.caFiles(
                file: exists ? configPath : nil, dataDirectory: configLocation.dataDirectory,
                overrides: .init(dataDirectory: location.config != nil ? location.dataDir : nil))
            let certificatePath = certOut ?? files.certificate
            let keyPath = keyOut ?? files.key
            for path in [certificatePath, keyPath] where FileManager.default.fileExists(atPath: path) {
                guard force else { throw ValidationError("\(path) exists; pass --force to replace the CA") }
            }
            // The old files stay until the new CA exists and both of its files are written.
            let created = try CertificateAuthority.create(
                algorithm: algorithm, commonName: commonName, organization: organization,
                notBefore: Int64(Date().timeIntervalSince1970), days: days)
            for path in [certificatePath, keyPath] {
                try FileManager.default.createDirectory(
                    atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                    withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            try CAFiles(keyPath: keyPath, certificatePath: certificatePath)
                .replace(keyPEM: created.keyPEM, certificatePEM: created.certificatePEM)
            let expiry = try created.authority.certificate.notAfter()
            print("""
                wrote \(keyPath) (\(created.authority.keyInfo), mode 0600)
                wrote \(certificatePath) (CN=\(commonName), serial \(created.authority.certificate.serialHex), \
                expires \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(expiry)))))
                Restart patgate serve to issue client certificates (credentials.x509); \
                relying services trust \(certificatePath).
                """)
        }
    }
}
