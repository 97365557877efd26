import ArgumentParser
import NIOCore
import NIOPosix

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

    /// Swift concurrency runs its jobs on NIO's event loops instead of a pool of its own
    /// (docs/ARCHITECTURE.md "Threads"): a request's task resumes on the loop that reads and
    /// writes its connection, so it no longer crosses between a loop thread and a pool thread
    /// at each await of its body and its answer. Installed before the first job is enqueued;
    /// blocking work stays off the loops (invariant 6).
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let arguments: [String]? = nil
        await main(arguments)
    }
}

/// Where the configuration is; shared by every command that needs it.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The YAML configuration file.")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "The data directory (default: $PATGATE_DATA_DIR or ./data).")
    var dataDir: String?
}
