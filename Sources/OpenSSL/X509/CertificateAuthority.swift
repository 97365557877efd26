internal import CLibcrypto

/// A CA private key with its certificate, loaded once, that issues short-lived client certificates.
///
/// Safe to share across threads: the key and the certificate are never mutated after init.
public struct CertificateAuthority: Sendable {
    /// The CA certificate (the first in the chain file).
    public let certificate: Certificate
    /// The chain sent after each issued certificate: every certificate of the chain file, as PEM.
    public let chainPEM: String
    /// The CA certificate's `notAfter` (seconds since the epoch): nothing it issues may outlive it.
    public let notAfter: Int64

    let key: EVPKey

    /// Loads a CA from PEM texts: an unencrypted private key and its certificate (optionally
    /// followed by the intermediates up to the root).
    /// - Throws: `CryptoError` `.invalidKey`, `.unsupportedKey` (not EC P-256/P-384, RSA ≥ 2048 or
    ///   Ed25519) or `.invalidCertificate` (unreadable, not a CA, key mismatch, no key identifier).
    public init(certificatePEM: String, keyPEM: String) throws {
        var keyText = keyPEM
        let key = try keyText.withUTF8 { try PEMReader.readPrivateKey(UnsafeRawBufferPointer($0)) }
        try self.init(chain: Certificate.chain(pem: certificatePEM), key: key)
    }

    /// Loads a CA from files; see `init(certificatePEM:keyPEM:)`. Messages name the file at fault.
    public init(certificateFile: String, keyFile: String) throws {
        let keyBytes = try PEMReader.readFile(keyFile)
        let key: EVPKey
        do {
            key = try keyBytes.withUnsafeBytes { try PEMReader.readPrivateKey($0) }
        } catch let error as CryptoError {
            throw CryptoError(error.code, "CA key file '\(keyFile)': \(error.message)")
        }
        let chain: [Certificate]
        do {
            chain = try Certificate.chain(pem: PEMReader.readFile(certificateFile).withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        } catch let error as CryptoError {
            throw CryptoError(error.code, "CA certificate file '\(certificateFile)': \(error.message)")
        }
        try self.init(chain: chain, key: key)
    }

    init(chain: [Certificate], key: EVPKey) throws {
        guard let first = chain.first else {
            throw CryptoError(.invalidCertificate, "the CA certificate file holds no certificate")
        }
        switch PublicKeyInfo(key.kind) {
        case .ec(curve: "P-256"), .ec(curve: "P-384"), .ed25519: break
        case .rsa(let bits) where bits >= PrivateKey.minimumRSABits: break
        case let other:
            throw CryptoError(.unsupportedKey, "a CA key of type \(other) is not supported; use EC P-256/P-384, RSA ≥ 2048 or Ed25519")
        }
        guard X509_check_private_key(first.handle.pointer, key.pointer) == 1 else {
            OpenSSLError.clear()
            throw CryptoError(.invalidCertificate, "the CA key does not match the CA certificate's public key")
        }
        // Also fills OpenSSL's extension cache now, so later concurrent reads do not race to fill it.
        guard X509_check_ca(first.handle.pointer) == 1 else {
            OpenSSLError.clear()
            throw CryptoError(.invalidCertificate, "the CA certificate is not a CA (it needs basicConstraints CA:TRUE)")
        }
        guard X509_get0_subject_key_id(first.handle.pointer) != nil else {
            OpenSSLError.clear()
            throw CryptoError(.invalidCertificate, "the CA certificate has no subject key identifier extension")
        }
        self.notAfter = try first.notAfter()
        self.certificate = first
        self.key = key
        self.chainPEM = try chain.map { try $0.pem() }.joined()
    }

    /// The CA key's type and size.
    public var keyInfo: PublicKeyInfo { PublicKeyInfo(key.kind) }
}
