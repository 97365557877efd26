internal import CLibcrypto

extension PEMReader {
    /// Key files are a few KiB; refuse anything much larger (e.g. a device path by mistake).
    static let maximumFileSize = 1 << 20

    /// The whole file at `path`, read through OpenSSL's file BIO into `SecretBytes`: every buffer
    /// that held part of it is wiped when released, whether the read succeeds or not.
    static func readFile(_ path: String) throws -> SecretBytes {
        guard let bio = BIO_new_file(path, "rb") else {
            throw CryptoError(.ioFailed, "cannot open key file '\(path)': \(OpenSSLError.drain(or: "open failed"))")
        }
        defer { BIO_free(bio) }
        var contents = SecretBytes(capacity: 4096)
        while true {
            if contents.remainingCapacity == 0 {
                guard contents.count < maximumFileSize else {
                    throw CryptoError(.ioFailed, "key file '\(path)' is larger than \(maximumFileSize) bytes")
                }
                // Grow by copying into a larger buffer; the old one is wiped when released.
                var larger = SecretBytes(capacity: min(2 * contents.count, maximumFileSize + 1))
                contents.withUnsafeBytes { larger.append($0) }
                contents = larger
            }
            var read: Int32 = 0
            contents.appendInPlace { free in
                read = BIO_read(bio, free.baseAddress, Int32(free.count))
                return max(Int(read), 0)
            }
            if read < 0 {
                throw CryptoError(.ioFailed, "cannot read key file '\(path)': \(OpenSSLError.drain(or: "read failed"))")
            }
            if read == 0 { break }  // end of file
        }
        guard contents.count <= maximumFileSize else {
            throw CryptoError(.ioFailed, "key file '\(path)' is larger than \(maximumFileSize) bytes")
        }
        return contents
    }
}
