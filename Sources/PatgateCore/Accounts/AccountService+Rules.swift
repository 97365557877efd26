import OpenSSL

extension AccountService {
    /// 1–64 characters of `a-z 0-9 . _ -`, starting with a letter or digit.
    public static func isValidUsername(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func alnum(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        return alnum(bytes[0]) && bytes.allSatisfy { alnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// 8 to 256 characters (Unicode scalars, as JSON Schema's `minLength` counts them). Beyond
    /// bcrypt's 72 bytes the hasher hashes a digest of the password (`BcryptPasswordHasher`).
    static func checkedPassword(_ password: String) throws -> String {
        guard (8...256).contains(password.unicodeScalars.count) else {
            throw UserError(.invalid, "a password has 8 to 256 characters")
        }
        guard !password.utf8.contains(0) else { throw UserError(.invalid, "a password may not contain NUL") }
        return password
    }

    static func checkedDisplayName(_ name: String) throws -> String {
        guard let checked = DisplayText.checked(name) else {
            throw UserError(.invalid, "a display name has 1 to 100 characters and no control characters")
        }
        return checked
    }

    /// 144 random bits as 24 base64url characters.
    public static func generatePassword() throws -> String {
        Base64URL.encode(try SecureRandom.bytes(18))
    }
}
