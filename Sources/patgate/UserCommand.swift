import ArgumentParser
import Foundation
import Logging
import PatgateAdapters
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

    /// Runs `body` with the account service over the configured store, auditing as
    /// `cli:<os user>`, then closes the store's connections and flushes the audit log.
    static func withAccounts<Result>(_ options: ConfigOptions,
                                     _ body: (AccountService, Principal) async throws -> Result) async throws -> Result {
        let (config, _) = try await ConfigLocation(options: options).load()
        let stores = try await Components.openStores(config.issuer, logger: Logger(label: "patgate-cli"))
        let audit = try Components.makeAuditLog(config, logger: Logger(label: "patgate-cli"))
        defer { audit.flush() }
        let accounts = try await Components.makeAccounts(config, stores: stores, users: stores.users, audit: audit)
        let actor = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")
        return try await stores.withRunning {
            try await body(accounts, Principal(username: actor, role: .admin, method: .cli, address: nil))
        }
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
            let (user, generated) = try await UserCommand.withAccounts(location) { accounts, actor in
                try await CLIErrors.report {
                    try await accounts.add(username: name, displayName: displayName, role: admin ? .admin : .user,
                                           password: password, by: actor)
                }
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
            let generated = try await UserCommand.withAccounts(location) { accounts, actor in
                try await CLIErrors.report { try await accounts.setPassword(username: name, password: password, by: actor) }
            }
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
            _ = try await UserCommand.withAccounts(location) { accounts, actor in
                try await CLIErrors.report { try await accounts.update(username: name, displayName: nil, role: nil, disabled: true, by: actor) }
            }
            print("disabled '\(name.lowercased())'")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users (never their password hashes).")
        @OptionGroup var location: ConfigOptions
        @Flag(help: "Print a JSON array of {username, display_name, role, disabled, created_at}.") var json = false

        func run() async throws {
            let users = try await UserCommand.withAccounts(location) { accounts, _ in try await accounts.list() }
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
