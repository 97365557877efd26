import HummingbirdBcrypt
import NIOPosix
import OpenSSL
import PatgateCore
import Synchronization

/// bcrypt (hummingbird-auth's `HummingbirdBcrypt`), run on NIO's blocking thread pool so
/// the event loops never wait for it (invariant 6 in docs/ARCHITECTURE.md).
///
/// bcrypt reads 72 bytes at most; a longer password is hashed as the base64url SHA-256 of its
/// UTF-8 bytes (43 characters), so every character counts. Passwords of 72 bytes or fewer are
/// hashed as they are, as before.
public final class BcryptPasswordHasher: PasswordHasher {
    public let cost: UInt8
    /// A hash of a random password at `cost`, made on first need: what unknown usernames
    /// are verified against, so they cost as much time as a wrong password.
    private let dummyHash = Mutex<String?>(nil)

    public init(cost: Int) {
        self.cost = UInt8(clamping: min(max(cost, 4), 31))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        let input = Self.bcryptInput(password)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(input, cost: cost) }
    }

    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let target: String
        if let hash { target = hash } else { target = try await dummy() }
        let input = Self.bcryptInput(password)
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: target) }
        return hash != nil && matches
    }

    static func bcryptInput(_ password: String) -> String {
        password.utf8.count <= 72 ? password : Base64URL.encode(Digest.sha256(Array(password.utf8)))
    }

    private func dummy() async throws -> String {
        if let made = dummyHash.withLock({ $0 }) { return made }
        let made = try await self.hash(try AccountService.generatePassword())
        dummyHash.withLock { $0 = $0 ?? made }
        return made
    }
}
