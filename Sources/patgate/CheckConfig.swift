import ArgumentParser
import Curl
import Foundation
import JOSE
import OpenSSL
import Logging
import PatgateAdapters
import PatgateCore
import PatgateServer

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file (and its keys and secrets) and explain every error.")
    @OptionGroup var location: ConfigOptions

    func run() async throws {
        do {
            let (config, _) = try await ConfigLocation(options: location).load(createIfMissing: false)
            let keys = try KeyRing(config: config.keys)
            if config.issuer.enabled {
                _ = try await Components.makeIssuer(config.issuer, logger: Logger(label: "patgate"))
            }
            print("""
                configuration ok
                  listen:   \(config.server.host):\(config.server.port), issuer \(config.server.issuer)
                  keys:     active \(keys.active.keyID) (\(keys.active.algorithm.rawValue)), \(keys.retired.count) retired
                  upstream: \(Curl.HTTPRequest.redacted(config.upstream.url))
                  revocation: \(config.revocationChannel)
                  clients:  \(config.clients.map(\.id).joined(separator: ", "))
                  credentials: \(config.credentials.enabledProviders.isEmpty ? "none" : config.credentials.enabledProviders.joined(separator: ", "))
                """)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
