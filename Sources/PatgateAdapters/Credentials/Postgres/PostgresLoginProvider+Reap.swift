import PostgresNIO
import PatgateCore

extension PostgresLoginProvider {
    /// Drops every expired login patgate made (name prefix and marker comment: a role made by
    /// anyone else is never touched) after ending its sessions. Returns the dropped names.
    /// The background reaper calls this every `reap_interval_seconds`; tests call it directly.
    @discardableResult
    public func reap() async throws(CredentialError) -> [String] {
        let database = self.database
        let prefix = settings.namePrefix
        let expired = try await bounded("list expired logins") {
            try await database.query(PostgresLoginSQL.expired(prefix: prefix)).column(String.self)
        }
        var dropped: [String] = []
        for name in expired where PostgresRoleName.matches(name, prefix: prefix) {
            do {
                try await drop(name)
                dropped.append(name)
            } catch {
                continue   // logged by `bounded`; the next round tries again
            }
        }
        if !dropped.isEmpty {
            logger.info("PostgreSQL credentials: dropped expired logins", metadata: ["roles": "\(dropped.joined(separator: ","))"])
        }
        return dropped
    }

    /// Ends the login's sessions and drops it. `VALID UNTIL` only stops new password logins,
    /// so the role first loses LOGIN (no new session of any kind) and its sessions are ended.
    /// A role that still owns objects in the admin database has them dropped too.
    func drop(_ name: String) async throws(CredentialError) {
        let database = self.database
        let logger = self.logger
        let leased = LeasedConnection()
        try await bounded("drop a login", role: name, leased: leased) {
            try await database.client.withConnection { connection in
                leased.hold(connection)
                do {
                    try await PostgresLoginSQL.execute("ALTER ROLE %I NOLOGIN", [name], on: connection, logger: logger)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42704" {
                    return   // undefined_object: another replica's reaper was faster
                }
                do {
                    try await connection.query(PostgresLoginSQL.terminate(name), logger: logger)
                } catch {
                    logger.warning("PostgreSQL credentials: cannot end the sessions of a login (grant pg_signal_backend to the admin role)",
                                   metadata: ["role": "\(name)", "reason": "\(PostgresStoreError.reason(error))"])
                }
                do {
                    try await PostgresLoginSQL.execute("DROP ROLE IF EXISTS %I", [name], on: connection, logger: logger)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "2BP01" {
                    // dependent_objects_still_exist: the admin role takes the membership DROP OWNED needs.
                    for template in ["GRANT %I TO CURRENT_USER", "DROP OWNED BY %I", "DROP ROLE %I"] {
                        try await PostgresLoginSQL.execute(template, [name], on: connection, logger: logger)
                    }
                }
            }
        }
    }
}
