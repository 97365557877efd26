internal import CLibcrypto
import Synchronization

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes from `RAND_bytes`.
    /// - Throws: `CryptoError` with code `.randomFailed` if the generator is not seeded or fails.
    public static func bytes(_ count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard let requested = Int32(exactly: count) else {
            throw CryptoError(.randomFailed, "cannot draw \(count) random bytes at once")
        }
        var ok = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            ok = RAND_bytes(buffer.baseAddress, requested) == 1
            initialized = ok ? count : 0
        }
        guard ok else { throw OpenSSLError.error(.randomFailed, "RAND_bytes failed") }
        return bytes
    }

    /// `count` random bytes for an identifier that must be unique and unguessable but is not a
    /// key (a JWT's `jti`): slices of a pool that `RAND_bytes` fills 4 KiB at a time. OpenSSL's
    /// CTR-DRBG re-keys itself after every call, which costs more than 16 bytes of output; a
    /// slice is handed out once and never again. Keys and PATs use `bytes` or `secretBytes`.
    /// - Throws: `CryptoError` with code `.randomFailed`.
    public static func identifierBytes(_ count: Int) throws -> [UInt8] {
        guard count > 0, count <= IdentifierPool.size else { return try bytes(count) }
        return try identifiers.withLock { pool in try pool.take(count) }
    }

    private static let identifiers = Mutex(IdentifierPool())

    private struct IdentifierPool {
        static let size = 4_096
        var bytes = [UInt8](repeating: 0, count: size)
        /// Bytes before `next` are handed out; the pool starts empty.
        var next = size

        mutating func take(_ count: Int) throws -> [UInt8] {
            if next + count > Self.size {
                let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(Self.size)) == 1 }
                guard ok else { throw OpenSSLError.error(.randomFailed, "RAND_bytes failed") }
                next = 0
            }
            defer { next += count }
            return Array(bytes[next..<next + count])
        }
    }

    /// `count` random bytes drawn straight into `SecretBytes`, for keys that must be wiped.
    /// - Throws: `CryptoError` with code `.randomFailed`.
    public static func secretBytes(_ count: Int) throws -> SecretBytes {
        guard let requested = Int32(exactly: count), count > 0 else {
            throw CryptoError(.randomFailed, "cannot draw \(count) random bytes at once")
        }
        var secret = SecretBytes(capacity: count)
        var ok = false
        secret.appendInPlace { buffer in
            ok = RAND_bytes(buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), requested) == 1
            return ok ? count : 0
        }
        guard ok else { throw OpenSSLError.error(.randomFailed, "RAND_bytes failed") }
        return secret
    }
}
