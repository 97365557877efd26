/// Something derived from PATs that ends when they are revoked, beyond the validation cache:
/// the PostgreSQL logins issued from them (a port: the revocation watcher calls every handler
/// for each batch of events, in this process and in every replica watching the same store).
///
/// A handler must be idempotent: several replicas, or a retried batch, may name the same PAT.
public protocol RevocationHandler: Sendable {
    /// Ends what was issued from the PATs with these ids and from every PAT of these users.
    /// Failures are the handler's to log; what it cannot end runs out at its own expiry.
    func revoked(tokenIDs: Set<String>, users: Set<String>) async
}
