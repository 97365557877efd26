import PostgresNIO
import PatgateCore

extension PostgresLoginProvider: RevocationHandler {
    /// Called by the revocation watcher for every batch of revocations: drops the logins
    /// issued from these PATs and from every PAT of these users, after ending their sessions.
    /// Every replica watching the store does it; dropping is idempotent, so one is enough.
    public func revoked(tokenIDs: Set<String>, users: Set<String>) async {
        _ = try? await dropIssued(tokenIDs: tokenIDs, users: users)   // failures are logged by `bounded`
    }

    /// Drops the live logins whose origin (`PostgresLoginOrigin`) names one of `tokenIDs` or
    /// `users`, audits each as `credential.withdrawn` and returns their names.
    @discardableResult
    public func dropIssued(tokenIDs: Set<String>, users: Set<String>) async throws(CredentialError) -> [String] {
        guard !tokenIDs.isEmpty || !users.isEmpty else { return [] }
        let database = self.database
        let prefix = settings.namePrefix
        let logins = try await bounded("list logins") {
            var rows: [(String, String)] = []
            for try await row in try await database.query(PostgresLoginSQL.issued(prefix: prefix)).decode((String, String).self) {
                rows.append(row)
            }
            return rows
        }
        var dropped: [String] = []
        for (name, comment) in logins where PostgresRoleName.matches(name, prefix: prefix) {
            guard let origin = PostgresLoginOrigin(comment: comment), origin.isRevoked(tokenIDs: tokenIDs, users: users)
            else { continue }
            do {
                try await drop(name)
            } catch {
                continue   // logged by `bounded`; the reaper drops it at its expiry
            }
            cache.forget(name)
            dropped.append(name)
            audit.record(AuditEvent(time: now(), kind: .credentialWithdrawn, actor: origin.subject, target: name,
                                    detail: "provider=postgres pat=\(origin.patID ?? "-"): the PAT was revoked or its owner disabled"))
        }
        if !dropped.isEmpty {
            logger.info("PostgreSQL credentials: dropped the logins of revoked PATs", metadata: ["roles": "\(dropped.joined(separator: ","))"])
        }
        return dropped
    }
}
