import ArgumentParser
import Foundation
import Logging
import PatgateCore
import PatgateServer

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the built-in issuer's local accounts (console and API logins).",
        discussion: """
            Passwords are read twice from the terminal without echo, or once (a line) from \
            standard input when it is not a terminal; --generate prints a random one instead, once.
            """,
        subcommands: [Add.self, Passwd.self, Disable.self, List.self])

    /// The account service over the configured store, auditing as `cli:<os user>`.
    static func accounts(_ options: ConfigOptions) async throws -> (AccountService, Principal) {
        let (config, _) = try await ConfigLocation(options: options).load()
        let stores = try Stores.open(config.issuer)
        let audit = try Services.makeAuditLog(config, logger: Logger(label: "patgate-cli"))
        let accounts = try await Services.makeAccounts(config, users: stores.users, audit: audit)
        let actor = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")
        return (accounts, Principal(username: actor, role: .admin, method: .cli, address: nil))
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user (role user unless --admin).")
        @OptionGroup var location: ConfigOptions
        @Argument(help: "The username: 1-64 of a-z, 0-9, '.', '_', '-'.") var name: String
        @Flag(help: "Give the user the administrator role.") var admin = false
        @Option(name: .customLong("display-name"), help: "The name shown in the console (default: the username).")
        var displayName: String?
        @Flag(help: "Generate a random password and print it once instead of reading one.") var generate = false

        func run() async throws {
            let password = generate ? nil : try PasswordInput.read(confirm: true)
            let (accounts, actor) = try await UserCommand.accounts(location)
            let (user, generated) = try await CLIErrors.report {
                try await accounts.add(username: name, displayName: displayName, role: admin ? .admin : .user,
                                       password: password, by: actor)
            }
            print("added \(user.role.rawValue) '\(user.username)'")
            if let generated { print("password (shown once): \(generated)") }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password.")
        @OptionGroup var location: ConfigOptions
        @Argument(help: "The username.") var name: String
        @Flag(help: "Generate a random password and print it once instead of reading one.") var generate = false

        func run() async throws {
            let password = generate ? nil : try PasswordInput.read(confirm: true)
            let (accounts, actor) = try await UserCommand.accounts(location)
            let generated = try await CLIErrors.report { try await accounts.setPassword(username: name, password: password, by: actor) }
            print("password of '\(name.lowercased())' changed")
            if let generated { print("password (shown once): \(generated)") }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a user: no login, their sessions end and their PATs stop working (within cache.ttl_seconds).")
        @OptionGroup var location: ConfigOptions
        @Argument(help: "The username.") var name: String

        func run() async throws {
            let (accounts, actor) = try await UserCommand.accounts(location)
            _ = try await CLIErrors.report { try await accounts.update(username: name, displayName: nil, role: nil, disabled: true, by: actor) }
            print("disabled '\(name.lowercased())'")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users (never their password hashes).")
        @OptionGroup var location: ConfigOptions
        @Flag(help: "Print a JSON array of {username, display_name, role, disabled, created_at}.") var json = false

        func run() async throws {
            let users = try await UserCommand.accounts(location).0.list()
            if json {
                print(UserJSON.list(users))
                return
            }
            print("USERNAME             ROLE   STATE     DISPLAY NAME")
            for user in users {
                print(user.username.padding(toLength: 21, withPad: " ", startingAt: 0)
                      + user.role.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
                      + (user.disabled ? "disabled  " : "enabled   ") + user.displayName)
            }
        }
    }
}
