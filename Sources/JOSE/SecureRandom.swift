import CLibcrypto

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes from `RAND_bytes`.
    /// - Throws: `JOSEError` with code `.randomFailed` if the generator is not seeded or fails.
    public static func bytes(_ count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard let requested = Int32(exactly: count) else {
            throw JOSEError(.randomFailed, "cannot draw \(count) random bytes at once")
        }
        var ok = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            ok = RAND_bytes(buffer.baseAddress, requested) == 1
            initialized = ok ? count : 0
        }
        guard ok else { throw OpenSSLError.error(.randomFailed, "RAND_bytes failed") }
        return bytes
    }
}
