internal import CLibcrypto

/// Small helpers around OpenSSL memory BIOs and ASN.1 times, shared by the X.509 types.
enum X509Support {
    /// Runs `body` with a memory BIO over `bytes` (read-only).
    static func withReadBIO<R>(_ bytes: [UInt8], _ code: CryptoError.Code, _ body: (OpaquePointer) throws -> R) throws -> R {
        try bytes.withUnsafeBytes { buffer in
            guard buffer.count <= Int(Int32.max), let base = buffer.baseAddress,
                let bio = BIO_new_mem_buf(base, Int32(buffer.count))
            else {
                throw OpenSSLError.error(code, "cannot read the input")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// What `write` put into a fresh memory BIO, as text (PEM).
    static func text(_ what: String, _ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw OpenSSLError.error(.encodingFailed, "cannot allocate a memory BIO")
        }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else {
            throw OpenSSLError.error(.encodingFailed, "cannot encode the \(what)")
        }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = patgate_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else {
            throw OpenSSLError.error(.encodingFailed, "cannot read the encoded \(what)")
        }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// Seconds since the epoch of an ASN.1 time (UTCTime or GeneralizedTime).
    static func seconds(_ time: UnsafePointer<ASN1_TIME>?) throws -> Int64 {
        guard let time, let epoch = ASN1_TIME_set(nil, 0) else {
            throw OpenSSLError.error(.invalidCertificate, "cannot read a certificate time")
        }
        defer { ASN1_STRING_free(epoch) }
        var days: Int32 = 0
        var seconds: Int32 = 0
        guard ASN1_TIME_diff(&days, &seconds, epoch, time) == 1 else {
            throw OpenSSLError.error(.invalidCertificate, "cannot read a certificate time")
        }
        return Int64(days) * 86_400 + Int64(seconds)
    }
}
