import ArgumentParser
import Foundation
import Logging
import PatgateAdapters
import PatgateCore
import PatgateServer

struct PATCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pat", abstract: "Create, list and revoke Personal Access Tokens in the built-in issuer.",
        subcommands: [Create.self, List.self, Revoke.self])

    /// Runs `body` with the configured issuer, then closes its store (PostgreSQL connections).
    static func withIssuer<Result>(_ options: ConfigOptions, _ body: (PATIssuer) async throws -> Result) async throws -> Result {
        let (config, _) = try await ConfigLocation(options: options).load()
        let (issuer, stores) = try await Components.makeIssuer(config.issuer, logger: Logger(label: "patgate"))
        return try await stores.withRunning { try await body(issuer) }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a PAT and print its value once.")
        @OptionGroup var location: ConfigOptions
        @Option(help: "The owner.") var user: String
        @Option(help: "A human-readable name, unique among the owner's live tokens.") var name: String
        @Option(name: .customLong("scope"), help: "A scope from the catalogue; repeat for several (default: all but tokens).")
        var scopes: [String] = []
        @Option(name: .customLong("expires-in"), help: "Lifetime such as 3600, 90m, 12h, 30d (default: never expires).")
        var expiresIn: String?
        @Flag(help: "Print one JSON object: id, token, name, scopes, expires_at.") var json = false

        func run() async throws {
            let lifetime = try expiresIn.map { value throws -> Int64 in
                guard let seconds = DurationText.seconds(value) else {
                    throw ValidationError("--expires-in: use a number of seconds or 90m, 12h, 30d")
                }
                return seconds
            }
            let (token, value) = try await PATCommand.withIssuer(location) { issuer in
                try await issuer.create(owner: user, name: name, scopes: scopes.isEmpty ? nil : scopes, expiresIn: lifetime)
            }
            if json {
                print(TokenJSON.created(token, value: value))
            } else {
                print(value)
                FileHandle.standardError.write(Data("""
                    Created PAT '\(token.name)' (id \(token.id)) for \(token.owner); scopes: \(token.scopes.joined(separator: " ")); \
                    expires: \(token.expiresAt.map(TokenJSON.timestamp) ?? "never").
                    Copy the value now: it is not stored and will not be shown again.

                    """.utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's PATs (never their values).")
        @OptionGroup var location: ConfigOptions
        @Option(help: "The owner.") var user: String
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let tokens = try await PATCommand.withIssuer(location) { try await $0.list(owner: user) }
            if json {
                print(TokenJSON.list(tokens))
                return
            }
            print("ID                        NAME                 STATE    SCOPES                         EXPIRES")
            let now = UnixTime.now()
            for token in tokens {
                let columns = [token.id.padding(toLength: 26, withPad: " ", startingAt: 0),
                               token.name.padding(toLength: 21, withPad: " ", startingAt: 0),
                               token.state(at: now).rawValue.padding(toLength: 9, withPad: " ", startingAt: 0),
                               token.scopes.joined(separator: " ").padding(toLength: 31, withPad: " ", startingAt: 0),
                               token.expiresAt.map(TokenJSON.timestamp) ?? "never"]
                print(columns.joined())
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a PAT by id (revoking twice is fine).")
        @OptionGroup var location: ConfigOptions
        @Argument(help: "The token id, as `pat list` shows it.") var id: String

        func run() async throws {
            try await PATCommand.withIssuer(location) { try await $0.revoke(id: id) }
            print("revoked \(id)")
        }
    }
}
