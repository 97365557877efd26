internal import CLibcrypto

/// A PKCS#10 certificate signing request whose self-signature has been verified.
///
/// Only the public key (and the proof that the sender holds its private half) is used by
/// `CertificateAuthority`: the subject, attributes and requested extensions are ignored,
/// because the issuer decides the identity.
public struct CertificateSigningRequest: Sendable {
    /// The requested key's type and size.
    public let keyInfo: PublicKeyInfo

    let request: X509RequestHandle
    let publicKey: EVPKey

    /// Parses a request from PEM (`-----BEGIN CERTIFICATE REQUEST-----`) or from base64url
    /// (unpadded or padded) DER, and verifies its signature with the key it carries.
    /// - Throws: `CryptoError` `.invalidCSR` with a message that never quotes the input.
    public init(_ text: String) throws {
        let handle: X509RequestHandle
        if text.contains("-----BEGIN") {
            handle = try Self.parsePEM(Array(text.utf8))
        } else {
            // Tolerate a final newline (as `basenc` or a file gives it) and base64 padding.
            var trimmed = Substring(text)
            while let last = trimmed.last, last == "=" || last.isWhitespace { trimmed = trimmed.dropLast() }
            while let first = trimmed.first, first.isWhitespace { trimmed = trimmed.dropFirst() }
            guard let der = Base64URL.decode(trimmed), !der.isEmpty else {
                throw CryptoError(.invalidCSR, "the CSR is neither PEM nor base64url-encoded DER")
            }
            handle = try Self.parseDER(der)
        }
        try self.init(handle)
    }

    /// Parses DER bytes; see `init(_:)`.
    public init(der: [UInt8]) throws {
        try self.init(Self.parseDER(der))
    }

    private init(_ handle: X509RequestHandle) throws {
        guard let key = X509_REQ_get_pubkey(handle.pointer) else {
            throw OpenSSLError.error(.invalidCSR, "the CSR's public key cannot be read")
        }
        let publicKey = EVPKey(taking: key)
        // A weak key (RSA e = 1, say) would make the signature below prove nothing.
        try Self.checkKeyStrength(publicKey)
        // Proof of possession: the request is signed by the private half of the key it carries.
        let verified = X509_REQ_verify(handle.pointer, publicKey.pointer)
        guard verified == 1 else {
            let reason = OpenSSLError.drain(or: "bad signature")
            throw CryptoError(.invalidCSR, "the CSR's signature does not verify with its own public key (\(reason))")
        }
        OpenSSLError.clear()
        self.request = handle
        self.publicKey = publicKey
        self.keyInfo = PublicKeyInfo(publicKey.kind)
    }

    static func parsePEM(_ bytes: [UInt8]) throws -> X509RequestHandle {
        try X509Support.withReadBIO(bytes, .invalidCSR) { bio in
            guard let pointer = PEM_read_bio_X509_REQ(bio, nil, nil, nil) else {
                let reason = OpenSSLError.drain(or: "no CERTIFICATE REQUEST block")
                throw CryptoError(.invalidCSR, "the CSR PEM could not be parsed (\(reason))")
            }
            return X509RequestHandle(taking: pointer)
        }
    }

    static func parseDER(_ der: [UInt8]) throws -> X509RequestHandle {
        guard der.count <= Int(Int32.max) else { throw CryptoError(.invalidCSR, "the CSR is too large") }
        return try der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let pointer = d2i_X509_REQ(nil, &cursor, Int(buffer.count)) else {
                let reason = OpenSSLError.drain(or: "malformed DER")
                throw CryptoError(.invalidCSR, "the CSR DER could not be parsed (\(reason))")
            }
            let handle = X509RequestHandle(taking: pointer)
            // Trailing bytes would be ignored by OpenSSL; a request is exactly one structure.
            guard let cursor, let base = buffer.baseAddress, cursor - base == buffer.count else {
                throw CryptoError(.invalidCSR, "the CSR DER has trailing bytes")
            }
            return handle
        }
    }
}
