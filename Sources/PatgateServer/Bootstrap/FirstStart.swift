import Foundation
import JOSE
import OpenSSL
import PatgateCore

/// The embedded default's first start: a data directory with a config file, a dev signing
/// key, the PAT hash key, an introspection client for the gateway itself and two exchange
/// clients (`cli`, public; `ci`, confidential). Secrets go to files of mode 0600.
public struct FirstStart {
    public let dataDirectory: String
    public let port: Int

    public init(dataDirectory: String, port: Int = 8080) {
        self.dataDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.port = port
    }

    public var configPath: String { dataDirectory + "/patgate.yaml" }

    /// What was created, for the start-up banner.
    public struct Summary: Sendable {
        public var configPath: String
        public var keyPath: String
        public var ciSecretPath: String
    }

    /// Creates everything; refuses to overwrite an existing config.
    public func run() throws -> Summary {
        let files = FileManager.default
        guard !files.fileExists(atPath: configPath) else {
            throw ConfigError(["\(configPath) already exists"])
        }
        for folder in ["", "/keys", "/secrets"] {
            try files.createDirectory(atPath: dataDirectory + folder, withIntermediateDirectories: true,
                                      attributes: [.posixPermissions: 0o700])
        }
        let key = try SigningKey.generate(.es256)
        let keyFile = "keys/signing-\(key.keyID.prefix(8)).pem"
        try Self.writeSecret(try key.privateKeyPEM(), to: dataDirectory + "/" + keyFile)
        try Self.writeSecret(Base64URL.encode(try SecureRandom.bytes(32)) + "\n", to: dataDirectory + "/secrets/pat-hash.key")
        let gatewaySecret = try Self.newSecret()
        try Self.writeSecret(gatewaySecret + "\n", to: dataDirectory + "/secrets/gateway-introspection.secret")
        let ciSecret = try Self.newSecret()
        try Self.writeSecret(ciSecret + "\n", to: dataDirectory + "/secrets/ci.secret")

        let yaml = DefaultConfigFile.render(
            keyFile: keyFile, port: port,
            gatewaySecretSHA256: SecretDigest(hashing: gatewaySecret).hex,
            ciSecretSHA256: SecretDigest(hashing: ciSecret).hex)
        try Self.writeSecret(yaml, to: configPath)
        return Summary(configPath: configPath, keyPath: dataDirectory + "/" + keyFile,
                       ciSecretPath: dataDirectory + "/secrets/ci.secret")
    }

    /// 256 random bits, base64url: a machine secret.
    static func newSecret() throws -> String {
        Base64URL.encode(try SecureRandom.bytes(32))
    }

    /// Writes a file readable by its owner only (created with 0600, never briefly wider).
    public static func writeSecret(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigError(["cannot write \(path)"])
        }
    }
}
