internal import CLibcrypto

extension PrivateKey {
    /// Loads an unencrypted private key from PEM text.
    ///
    /// Accepts PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY` (also after an `EC PARAMETERS`
    /// block, as `openssl ecparam -genkey` writes it), PKCS#1 `RSA PRIVATE KEY`, and
    /// Ed25519 from `openssl genpkey`. The algorithm is inferred from the key unless given.
    /// - Throws: `CryptoError` `.invalidKey` (not a readable private key, encrypted, public only),
    ///   `.unsupportedKey` (curve, type, RSA < 2048 bits) or `.algorithmMismatch`.
    public init(pem: String, algorithm: SignatureAlgorithm? = nil) throws {
        var pem = pem
        let key = try pem.withUTF8 { try PEMReader.readPrivateKey(UnsafeRawBufferPointer($0)) }
        try self.init(key: key, requested: algorithm)
    }

    /// Loads an unencrypted PEM private key from a file; see `init(pem:algorithm:)`.
    /// - Throws: `CryptoError` `.ioFailed` naming the path if the file cannot be read, else as `init(pem:)`,
    ///   with the path prefixed to the message.
    public init(contentsOfFile path: String, algorithm: SignatureAlgorithm? = nil) throws {
        let contents = try PEMReader.readFile(path)
        do {
            let key = try contents.withUnsafeBytes { try PEMReader.readPrivateKey($0) }
            try self.init(key: key, requested: algorithm)
        } catch let error as CryptoError {
            throw CryptoError(error.code, "key file '\(path)': \(error.message)")
        }
    }

    /// The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    /// - Throws: `CryptoError` `.encodingFailed`.
    public func privateKeyPEM() throws -> String {
        guard let bio = BIO_new(BIO_s_secmem()) else {
            throw OpenSSLError.error(.encodingFailed, "cannot allocate a memory BIO")
        }
        defer { BIO_free(bio) }  // a secure-memory BIO is cleansed when freed
        guard PEM_write_bio_PKCS8PrivateKey(bio, context.key.pointer, nil, nil, 0, nil, nil) == 1 else {
            throw OpenSSLError.error(.encodingFailed, "cannot encode the private key as PKCS#8 PEM")
        }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = patgate_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else {
            throw OpenSSLError.error(.encodingFailed, "cannot read the encoded private key")
        }
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        return String(decoding: bytes, as: UTF8.self)
    }
}
