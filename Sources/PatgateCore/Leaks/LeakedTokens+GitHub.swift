import JSON
import OpenSSL

extension LeakedTokens {
    /// GitHub's partner response: `[{"token_hash":…,"token_type":…,"label":…}]`, one element per
    /// report, `token_hash` being the lower-case hex SHA-256 of the reported value (never the value).
    public static func githubAnswer(_ verdicts: [Verdict]) -> [UInt8] {
        var json = JSONWriter(capacity: 32 + verdicts.count * 140)
        json.beginArray()
        for verdict in verdicts {
            json.beginObject()
            json.field("token_hash", hex(Digest.sha256(Array(verdict.report.token.utf8))))
            json.field("token_type", verdict.report.type)
            json.field("label", verdict.label.rawValue)
            json.endObject()
        }
        json.endArray()
        return json.bytes
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
