import ArgumentParser
import Foundation
import Logging
import PatgateAdapters
import PatgateCore
import PatgateServer

struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Manage short-lived credentials.", subcommands: [Reap.self])

    struct Reap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop expired temporary PostgreSQL logins now (the server does it every reap_interval_seconds).",
            discussion: "Touches only roles with credentials.postgres.name_prefix and patgate's comment.")
        @OptionGroup var location: ConfigOptions

        func run() async throws {
            let (config, _) = try await ConfigLocation(options: location).load(createIfMissing: false)
            guard var settings = config.credentials.postgres else {
                throw ValidationError("credentials.postgres.admin_url is not configured")
            }
            settings.reapInterval = 0   // this one call only
            let provider = PostgresLoginProvider(settings: settings, logger: Logger(label: "patgate"))
            do {
                let dropped = try await provider.withRunning { try await provider.reap() }
                print(dropped.isEmpty ? "no expired logins" : "dropped \(dropped.count): \(dropped.joined(separator: " "))")
            } catch {
                FileHandle.standardError.write(Data("patgate: \((error as? CredentialError)?.message ?? "\(error)")\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
