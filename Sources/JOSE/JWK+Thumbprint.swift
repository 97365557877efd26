import JSON
import OpenSSL
extension JWK {
    /// The RFC 7638 thumbprint: base64url(SHA-256) of the key's required members
    /// in lexicographic order, as compact JSON. `nil` for an unknown `kty` or a
    /// missing required member.
    public func thumbprint() -> String? {
        guard let canonical = thumbprintInput() else { return nil }
        return Base64URL.encode(Digest.sha256(canonical))
    }

    /// The canonical JSON that `thumbprint()` hashes (RFC 7638 §3.2, §3.3).
    func thumbprintInput() -> [UInt8]? {
        var writer = JSONWriter()
        writer.beginObject()
        switch kty {
        case "EC":
            guard let crv, let x, let y else { return nil }
            writer.member("crv", crv)
            writer.member("kty", kty)
            writer.member("x", x)
            writer.member("y", y)
        case "RSA":
            guard let e, let n else { return nil }
            writer.member("e", e)
            writer.member("kty", kty)
            writer.member("n", n)
        case "OKP":
            guard let crv, let x else { return nil }
            writer.member("crv", crv)
            writer.member("kty", kty)
            writer.member("x", x)
        default:
            return nil
        }
        writer.endObject()
        return writer.bytes
    }
}
