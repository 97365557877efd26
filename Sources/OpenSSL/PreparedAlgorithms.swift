internal import CLibcrypto

/// OpenSSL algorithms fetched once per process.
///
/// OpenSSL 3 fetches an implementation from the provider on every call that names
/// an algorithm implicitly (`EVP_sha256()`, `HMAC()`), which costs more than hashing
/// a short input. The fetched objects and the HMAC template are never mutated after
/// init, so sharing them across threads is safe; they live for the whole process.
final class PreparedAlgorithms: @unchecked Sendable {
    static let shared = PreparedAlgorithms()

    /// The fetched SHA-256 `EVP_MD`, or the built-in one if the fetch failed.
    let sha256: OpaquePointer?
    /// An `EVP_MAC_CTX` for HMAC with digest SHA-256 and no key; duplicated per call.
    private let hmacTemplate: OpaquePointer?

    private init() {
        if let md = EVP_MD_fetch(nil, "SHA256", nil) {
            sha256 = md
        } else {
            OpenSSLError.clear()
            sha256 = EVP_sha256()
        }
        hmacTemplate = PreparedAlgorithms.makeHMACTemplate()
    }

    private static func makeHMACTemplate() -> OpaquePointer? {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            OpenSSLError.clear()
            return nil
        }
        defer { EVP_MAC_free(mac) }  // the context keeps its own reference
        guard let ctx = EVP_MAC_CTX_new(mac) else {
            OpenSSLError.clear()
            return nil
        }
        guard patgate_EVP_MAC_CTX_set_digest(ctx, "SHA256") == 1 else {
            EVP_MAC_CTX_free(ctx)
            OpenSSLError.clear()
            return nil
        }
        return ctx
    }

    /// A copy of the template initialised with `key`, owned by the caller (`EVP_MAC_CTX_free`);
    /// `nil` if OpenSSL failed (`HMACKey`).
    func keyedHMACContext(_ key: SecretBytes) -> OpaquePointer? {
        guard let hmacTemplate, let ctx = EVP_MAC_CTX_dup(hmacTemplate) else { return nil }
        let ok = key.withUnsafeBytes { key in
            key.withNonNullBase { EVP_MAC_init(ctx, $0.assumingMemoryBound(to: UInt8.self), key.count, nil) } == 1
        }
        guard ok else {
            EVP_MAC_CTX_free(ctx)
            return nil
        }
        return ctx
    }

    /// HMAC-SHA-256 via a copy of the template, or `nil` if OpenSSL failed.
    func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let hmacTemplate, let ctx = EVP_MAC_CTX_dup(hmacTemplate) else { return nil }
        defer { EVP_MAC_CTX_free(ctx) }
        var ok = false
        let mac = [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            var length = 0
            ok =
                key.withNonNullBase { EVP_MAC_init(ctx, $0.assumingMemoryBound(to: UInt8.self), key.count, nil) } == 1
                && data.withNonNullBase { EVP_MAC_update(ctx, $0.assumingMemoryBound(to: UInt8.self), data.count) } == 1
                && EVP_MAC_final(ctx, out.baseAddress, &length, 32) == 1 && length == 32
            count = ok ? 32 : 0
        }
        return ok ? mac : nil
    }
}
