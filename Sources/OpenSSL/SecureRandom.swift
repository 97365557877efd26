internal import CLibcrypto

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
