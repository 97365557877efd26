import Logging
import PostgresNIO

/// The statements behind temporary logins. Utility statements (`CREATE ROLE`, `GRANT`,
/// `DROP ROLE`) take no bind parameters, so the server quotes every name and literal: the
/// template is a constant of this file, the values are bound to `format()`, and only its
/// result is executed. A user name with quotes or semicolons stays one identifier.
enum PostgresLoginSQL {
    /// The start of the comment on every role patgate creates (`PostgresLoginOrigin` follows):
    /// with the name prefix, what the reaper checks before it touches a role, so a role made
    /// by anyone else survives.
    static let marker = "patgate temporary login"

    /// A login that inherits the privileges of `roles` and whose password stops working at
    /// `validUntil` (`yyyy-MM-ddTHH:mm:ssZ`). `password` is a SCRAM verifier; `comment` starts
    /// with `marker`.
    static func create(name: String, password: String, validUntil: String, comment: String, roles: [String]) -> [Statement] {
        [Statement("CREATE ROLE %I WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L VALID UNTIL %L",
                   name, password, validUntil),
         Statement("COMMENT ON ROLE %I IS %L", name, comment)]
            + roles.map { Statement("GRANT %I TO %I", $0, name) }
    }

    /// A `format()` template (a constant of this file) and the values it quotes.
    struct Statement: Sendable {
        var template: String
        var arguments: [String]

        init(_ template: String, _ arguments: String...) {
            self.template = template
            self.arguments = arguments
        }

        func execute(on connection: PostgresConnection, logger: Logger) async throws {
            try await PostgresLoginSQL.execute(template, arguments, on: connection, logger: logger)
        }
    }

    /// The expired logins patgate made: the name prefix, the marker and a past `VALID UNTIL`.
    static func expired(prefix: String) -> PostgresQuery {
        """
        SELECT rolname::text FROM pg_roles
        WHERE starts_with(rolname::text, \(prefix)) AND rolvaliduntil IS NOT NULL AND rolvaliduntil < now()
          AND starts_with(shobj_description(oid, 'pg_authid'), \(marker))
        ORDER BY rolvaliduntil
        """
    }

    /// Every login patgate made under `prefix` (expired or not), with its comment.
    static func issued(prefix: String) -> PostgresQuery {
        """
        SELECT rolname::text, shobj_description(oid, 'pg_authid') FROM pg_roles
        WHERE starts_with(rolname::text, \(prefix)) AND starts_with(shobj_description(oid, 'pg_authid'), \(marker))
        """
    }

    /// Ends every session of `name`, returning how many there were.
    static func terminate(_ name: String) -> PostgresQuery {
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = \(name)"
    }

    /// Has the server quote `arguments` into `template` and runs the result.
    static func execute(_ template: String, _ arguments: [String], on connection: PostgresConnection,
                        logger: Logger) async throws {
        let rows = try await connection.query("SELECT format(\(template), VARIADIC \(arguments)::text[])", logger: logger)
        var statement: String?
        for try await text in rows.decode(String.self) { statement = text }
        guard let statement else { throw PostgresStoreError(.unavailable, "format() returned no statement") }
        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
    }
}
