import ArgumentParser

@main
struct Patgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patgate",
        abstract: "Exchange Personal Access Tokens for short-lived, signed JWT access tokens (RFC 8693).",
        discussion: """
            Without --config, patgate uses <data-dir>/patgate.yaml (data dir: --data-dir, \
            $PATGATE_DATA_DIR or ./data) and creates it, with a dev signing key and clients, \
            on first use.
            """,
        subcommands: [Serve.self, PATCommand.self, UserCommand.self, KeysCommand.self, CACommand.self,
                      CredentialsCommand.self, CheckConfig.self],
        defaultSubcommand: Serve.self)
}

/// Where the configuration is; shared by every command that needs it.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The YAML configuration file.")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "The data directory (default: $PATGATE_DATA_DIR or ./data).")
    var dataDir: String?
}
