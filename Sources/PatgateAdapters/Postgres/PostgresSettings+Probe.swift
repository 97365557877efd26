import Logging
import PostgresNIO

extension PostgresSettings {
    /// Opens one connection outside the pool and closes it again. The pool retries a failed
    /// connection quietly until its request times out; this fails at once with the server's
    /// reason (refused, wrong password, unknown database), which `open` then reports.
    func probe(logger: Logger) async throws {
        let connection = try await connection(logger: logger)
        try? await connection.close()
    }

    /// One connection of its own, outside any pool (the probe's; the revocation listener's,
    /// which a pool could not lend for as long as it listens). The caller closes it.
    func connection(id: Int = 0, logger: Logger) async throws -> PostgresConnection {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresConnection.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: unverified))
        case .require: tls = .require(try NIOSSLContext(configuration: unverified))
        case .verifyFull: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = startupParameters
        return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
    }
}
