/// Hashes and verifies passwords (a port: the server implements it with bcrypt, off the
/// event loop: invariant 6 in docs/ARCHITECTURE.md).
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    /// `hash == nil` verifies against a dummy hash of the same cost and returns `false`, so
    /// an unknown username takes as long as a wrong password.
    func verify(_ password: String, hash: String?) async throws -> Bool
}
