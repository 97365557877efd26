internal import CLibcrypto

/// An HMAC-SHA-256 key set up once, for a key that hashes many short inputs (the caches' keys
/// for their PAT digests, the issuer's PAT hash key). `Digest.hmacSHA256` sets the key up on
/// every call: the padded key's two SHA-256 blocks cost about as much as hashing a PAT. Here
/// an `EVP_MAC_CTX` holds the keyed state, is never changed after `init`, and each MAC works on
/// a copy of it.
///
/// The context holds key-derived state; OpenSSL cleanses it when the key is released. When
/// OpenSSL cannot make the context, the MAC is `Digest.hmacSHA256` over the kept key: the same
/// value, more slowly.
public final class HMACKey: @unchecked Sendable {
    private let keyed: OpaquePointer?
    private let key: SecretBytes

    public init(_ key: SecretBytes) {
        self.key = key
        keyed = PreparedAlgorithms.shared.keyedHMACContext(key)
    }

    deinit {
        if let keyed { EVP_MAC_CTX_free(keyed) }
    }

    /// HMAC-SHA-256 of `data` (32 bytes).
    public func mac(_ data: some Collection<UInt8>) -> [UInt8] {
        if let result = data.withContiguousStorageIfAvailable({ mac(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(data).withUnsafeBytes { mac($0) }
    }

    private func mac(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        guard let keyed, let ctx = EVP_MAC_CTX_dup(keyed) else {
            OpenSSLError.clear()
            return Digest.hmacSHA256(key: key, data: data)
        }
        defer { EVP_MAC_CTX_free(ctx) }
        var ok = false
        let mac = [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            var length = 0
            ok = data.withNonNullBase { EVP_MAC_update(ctx, $0.assumingMemoryBound(to: UInt8.self), data.count) } == 1
                && EVP_MAC_final(ctx, out.baseAddress, &length, 32) == 1 && length == 32
            count = ok ? 32 : 0
        }
        if ok { return mac }
        OpenSSLError.clear()
        return Digest.hmacSHA256(key: key, data: data)
    }
}
