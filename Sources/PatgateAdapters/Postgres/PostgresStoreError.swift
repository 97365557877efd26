import PostgresNIO

/// Why the PostgreSQL store could not do its work. The text names the server by host, port,
/// database and user at most, never the password, and never a PAT or a value hash.
public struct PostgresStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// `store.postgres_url` is not a usable URL.
        case invalidURL = "invalid_url"
        /// The server did not answer in time or refused the connection or the login.
        case unavailable
        /// A migration failed; nothing of it was applied.
        case migration
        /// A stored row does not decode (a value this version does not know).
        case corruptRow = "corrupt_row"
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// A short, safe reason for any error thrown by postgres-nio: `PSQLError`'s own
    /// description is deliberately generic, so this adds the SQLSTATE and the server's
    /// message (which never contains the password), or the kind of connection failure.
    static func reason(_ error: any Error) -> String {
        if let own = error as? PostgresStoreError { return own.description }
        guard let psql = error as? PSQLError else { return "\(type(of: error))" }
        if let info = psql.serverInfo {
            let state = info[.sqlState] ?? "?"
            let message = info[.message] ?? "server error"
            return "\(message) (SQLSTATE \(state))"
        }
        if let underlying = psql.underlying {
            return "\(psql.code) (\(String(describing: underlying)))"
        }
        return "\(psql.code)"
    }
}
