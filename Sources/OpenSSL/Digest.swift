internal import CLibcrypto

/// SHA-256 and HMAC-SHA-256 through OpenSSL.
///
/// Both are total: OpenSSL can only fail here on allocation failure, and then the
/// same value is computed by a slower path (OpenSSL's one-shot `SHA256()`, and
/// RFC 2104 over it), never a wrong or empty one.
public enum Digest {
    /// The SHA-256 hash of `bytes` (32 bytes).
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        withContiguousBytes(bytes) { sha256(UnsafeRawBufferPointer($0)) }
    }

    /// HMAC-SHA-256 of `data` under `key` (32 bytes). Any key length, including 0.
    public static func hmacSHA256(key: [UInt8], data: some Collection<UInt8>) -> [UInt8] {
        withContiguousBytes(data) { message in
            key.withUnsafeBytes { hmacSHA256(key: $0, data: UnsafeRawBufferPointer(message)) }
        }
    }

    /// HMAC-SHA-256 of `data` under a key held as `SecretBytes`, read in place (no copy of the key).
    public static func hmacSHA256(key: SecretBytes, data: some Collection<UInt8>) -> [UInt8] {
        withContiguousBytes(data) { message in
            key.withUnsafeBytes { hmacSHA256(key: $0, data: UnsafeRawBufferPointer(message)) }
        }
    }

    package static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            data.withNonNullBase { base in
                var length: UInt32 = 0
                if EVP_Digest(base, data.count, out.baseAddress, &length, PreparedAlgorithms.shared.sha256, nil) != 1
                    || length != 32
                {
                    OpenSSLError.clear()
                    _ = SHA256(base.assumingMemoryBound(to: UInt8.self), data.count, out.baseAddress)
                }
            }
            count = 32
        }
    }

    static func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> [UInt8] {
        if let mac = PreparedAlgorithms.shared.hmacSHA256(key: key, data: data) { return mac }
        OpenSSLError.clear()
        return fallbackHMAC(key: key, data: data)
    }

    /// RFC 2104 HMAC over `sha256`, for when OpenSSL cannot allocate a MAC context.
    private static func fallbackHMAC(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> [UInt8] {
        var block = key.count > 64 ? sha256(key) : Array(key)
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = (block.map { $0 ^ 0x36 } + Array(data)).withUnsafeBytes { sha256($0) }
        return (block.map { $0 ^ 0x5C } + inner).withUnsafeBytes { sha256($0) }
    }

    private static func withContiguousBytes<R>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
        return Array(bytes).withUnsafeBufferPointer(body)
    }
}
