import OpenSSL

/// The names of temporary logins: `<prefix><user>_<random>`, a plain identifier of a-z, 0-9
/// and _ within PostgreSQL's 63 bytes, whatever the user name holds (quotes, semicolons,
/// non-ASCII letters). The user part only helps a database administrator read
/// `pg_stat_activity`; the random part makes the name unique and unguessable.
public enum PostgresRoleName {
    /// PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1).
    public static let maxBytes = 63
    public static let maxPrefixBytes = 24
    /// 12 base32 characters: 60 random bits.
    static let randomLength = 12
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// A new name for `user`.
    public static func make(prefix: String, user: String) throws -> String {
        let random = try SecureRandom.bytes(randomLength).map { alphabet[Int($0 & 0x1F)] }
        let room = maxBytes - prefix.utf8.count - 1 - randomLength
        return prefix + sanitised(user, limit: room) + "_" + String(decoding: random, as: UTF8.self)
    }

    /// `user` lower-cased, with every run of other characters turned into one `_`, trimmed
    /// of `_` at both ends and cut to `limit` bytes; `user` when nothing is left.
    public static func sanitised(_ user: String, limit: Int) -> String {
        var out: [UInt8] = []
        for byte in user.lowercased().utf8 {
            guard out.count < limit else { break }
            if (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) {
                out.append(byte)
            } else if out.last != UInt8(ascii: "_") {
                out.append(UInt8(ascii: "_"))
            }
        }
        while out.first == UInt8(ascii: "_") { out.removeFirst() }
        while out.last == UInt8(ascii: "_") { out.removeLast() }
        return out.isEmpty ? String("user".prefix(max(0, limit))) : String(decoding: out, as: UTF8.self)
    }

    /// Whether `name` is a login name this prefix could have made (the reaper's first check).
    public static func matches(_ name: String, prefix: String) -> Bool {
        name.hasPrefix(prefix) && name.utf8.count <= maxBytes
            && name.utf8.allSatisfy { $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }
    }
}
