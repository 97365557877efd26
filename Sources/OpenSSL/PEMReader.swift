internal import CLibcrypto

/// Reads PEM private keys and key files through OpenSSL, with errors that never quote the input.
enum PEMReader {
    /// Parses the first private key in `pem` (other blocks, such as `EC PARAMETERS`, are skipped).
    static func readPrivateKey(_ pem: UnsafeRawBufferPointer) throws -> EVPKey {
        guard contains(pem, "-----BEGIN ") else {
            throw CryptoError(.invalidKey, "the input is not PEM: no '-----BEGIN' line found")
        }
        if contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") || contains(pem, "Proc-Type: 4,ENCRYPTED") {
            throw CryptoError(
                .invalidKey, "the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)")
        }
        guard pem.count <= Int(Int32.max), let base = pem.baseAddress,
            let bio = BIO_new_mem_buf(base, Int32(pem.count))
        else {
            throw OpenSSLError.error(.invalidKey, "cannot read the PEM input")
        }
        defer { BIO_free(bio) }
        guard let pointer = PEM_read_bio_PrivateKey(bio, nil, patgate_refuse_passphrase, nil) else {
            let reason = OpenSSLError.drain(or: "no private key block")
            if !contains(pem, "PRIVATE KEY-----") {
                if contains(pem, "PUBLIC KEY-----") || contains(pem, "CERTIFICATE-----") {
                    throw CryptoError(
                        .invalidKey, "the PEM holds a public key or certificate, not a private key")
                }
                throw CryptoError(.invalidKey, "the PEM holds no private key block")
            }
            throw CryptoError(.invalidKey, "the private key PEM could not be parsed (\(reason))")
        }
        OpenSSLError.clear()  // decoders that were tried and failed leave entries behind
        return EVPKey(taking: pointer)
    }

    /// Whether the ASCII `needle` occurs in `haystack`.
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        let pattern = UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard pattern.count > 0, haystack.count >= pattern.count else { return false }
        let first = pattern[0]
        var i = 0
        let last = haystack.count - pattern.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < pattern.count && haystack[i + j] == pattern[j] { j += 1 }
                if j == pattern.count { return true }
            }
            i += 1
        }
        return false
    }
}
