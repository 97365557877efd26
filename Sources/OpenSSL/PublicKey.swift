internal import CLibcrypto

/// An EC P-256 public key that checks ECDSA-SHA-256 signatures in DER form (`ECDSA-Sig-Value`),
/// as secret-scanning partners (GitHub, GitLab) sign the reports they send.
///
/// A value type over a shared, immutable OpenSSL key; `verify` may run on many threads at once.
public struct PublicKey: Sendable, CustomStringConvertible {
    let key: EVPKey

    /// Reads the first `-----BEGIN PUBLIC KEY-----` block (SubjectPublicKeyInfo) of `pem`.
    /// - Throws: `CryptoError` `.invalidKey` for anything that is not such a block,
    ///   `.unsupportedKey` for a key other than EC P-256; the message never quotes the input.
    public init(pem: String) throws {
        let bytes = Array(pem.utf8)
        guard bytes.withUnsafeBytes({ PEMReader.contains($0, "-----BEGIN PUBLIC KEY-----") }) else {
            throw CryptoError(.invalidKey, "the input holds no '-----BEGIN PUBLIC KEY-----' block")
        }
        let key = try X509Support.withReadBIO(bytes, .invalidKey) { bio in
            guard let pointer = PEM_read_bio_PUBKEY(bio, nil, nil, nil) else {
                let reason = OpenSSLError.drain(or: "malformed PUBLIC KEY block")
                throw CryptoError(.invalidKey, "the public key PEM could not be parsed (\(reason))")
            }
            return EVPKey(taking: pointer)
        }
        OpenSSLError.clear()
        guard PublicKeyInfo(key.kind) == .ec(curve: "P-256") else {
            throw CryptoError(.unsupportedKey, "the public key is \(PublicKeyInfo(key.kind)), not EC P-256")
        }
        self.key = key
    }

    /// `PublicKey(EC P-256)`: never key material.
    public var description: String { "PublicKey(\(PublicKeyInfo(key.kind)))" }

    /// Whether `signature` (DER `ECDSA-Sig-Value`) is this key's ECDSA signature of SHA-256(`message`).
    /// Anything malformed is simply `false`.
    public func verifyECDSASHA256(derSignature signature: [UInt8], message: [UInt8]) -> Bool {
        guard !signature.isEmpty, signature.count <= 256, let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        let valid = message.withUnsafeBytes { buffer in
            buffer.withNonNullBase { base in
                EVP_DigestVerifyInit_ex(ctx, nil, "SHA256", nil, nil, key.pointer, nil) == 1
                    && EVP_DigestVerify(ctx, signature, signature.count,
                                        base.assumingMemoryBound(to: UInt8.self), buffer.count) == 1
            }
        }
        OpenSSLError.clear()   // a bad signature leaves its reason queued
        return valid
    }
}
