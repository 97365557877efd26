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
            let server = config.server
            let cap = ConnectionLimits.connectionCap(server)
            print("""
                configuration ok
                  listen:   \(server.host):\(server.port), issuer \(server.issuer)
                  connections: at most \(cap.maxConnections) (ulimit -n \(cap.descriptorLimit)\(cap.lowered ? "; server.max_connections lowered to fit" : "")), \
                head \(server.headerTimeoutMilliseconds) ms, body \(server.bodyTimeoutMilliseconds) ms, idle \(server.idleTimeoutSeconds) s
                  keys:     active \(keys.active.keyID) (\(keys.active.algorithm.rawValue)), \(keys.next.count) next, \(keys.retired.count) retired
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
