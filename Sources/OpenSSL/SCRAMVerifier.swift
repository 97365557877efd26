internal import CLibcrypto

/// A PostgreSQL SCRAM-SHA-256 password verifier (RFC 5802, RFC 7677), computed here so that
/// `CREATE ROLE … PASSWORD` carries the verifier and the clear password never reaches the
/// server's statement log. PostgreSQL stores a value in this form as it is.
public enum SCRAMVerifier {
    /// PostgreSQL's default iteration count (`scram_iterations`).
    public static let defaultIterations = 4_096

    /// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, each part standard base64.
    /// The password must already be in SASLprep normal form (plain ASCII letters, digits and
    /// punctuation are); `salt` should be 16 random bytes.
    public static func sha256(password: String, salt: [UInt8], iterations: Int = defaultIterations) throws -> String {
        let salted = try pbkdf2SHA256(password: Array(password.utf8), salt: salt, iterations: iterations)
        let clientKey = Digest.hmacSHA256(key: salted, data: Array("Client Key".utf8))
        let storedKey = Digest.sha256(clientKey)
        let serverKey = Digest.hmacSHA256(key: salted, data: Array("Server Key".utf8))
        return "SCRAM-SHA-256$\(iterations):\(base64(salt))$\(base64(storedKey)):\(base64(serverKey))"
    }

    /// PBKDF2-HMAC-SHA-256 with a 32-byte output (RFC 8018), OpenSSL's `PKCS5_PBKDF2_HMAC`.
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int) throws -> [UInt8] {
        guard let rounds = Int32(exactly: iterations), rounds > 0 else {
            throw CryptoError(.encodingFailed, "PBKDF2 needs a positive iteration count")
        }
        var ok = false
        let output = [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            ok = password.withUnsafeBufferPointer { secret in
                salt.withUnsafeBufferPointer { salt in
                    secret.withMemoryRebound(to: CChar.self) { secret in
                        PKCS5_PBKDF2_HMAC(secret.baseAddress, Int32(secret.count), salt.baseAddress, Int32(salt.count),
                                          rounds, EVP_sha256(), 32, out.baseAddress) == 1
                    }
                }
            }
            count = ok ? 32 : 0
        }
        guard ok else { throw OpenSSLError.error(.encodingFailed, "PKCS5_PBKDF2_HMAC failed") }
        return output
    }

    /// Standard base64 with padding (SCRAM does not use the URL alphabet).
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[(value >> (18 - 6 * position)) & 0x3F] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
