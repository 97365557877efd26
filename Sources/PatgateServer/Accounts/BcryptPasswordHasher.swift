import HummingbirdBcrypt
import NIOPosix
import PatgateCore

/// bcrypt (hummingbird-auth's `HummingbirdBcrypt`), run on NIO's blocking thread pool so
/// the event loops never wait for it (DESIGN invariant 6).
public struct BcryptPasswordHasher: PasswordHasher {
    public let cost: UInt8
    /// A hash of a random password at `cost`: what unknown usernames are verified against.
    private let dummyHash: String

    /// Computes the dummy hash once (one bcrypt at `cost`, at start-up).
    public init(cost: Int) async throws {
        let cost = UInt8(clamping: min(max(cost, 4), 31))
        self.cost = cost
        let secret = try AccountService.generatePassword()
        dummyHash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(secret, cost: cost) }
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? dummyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return hash != nil && matches
    }
}
