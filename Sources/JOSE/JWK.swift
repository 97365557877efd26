import JSON

/// A public JSON Web Key (RFC 7517) as published in a JWKS.
///
/// Only the members JOSE produces: `kty`, `crv`/`x`/`y` (EC, OKP), `n`/`e` (RSA),
/// `kid`, `alg` and `use`. Absent members are `nil` and omitted when encoded.
public struct JWK: Sendable, Codable, Equatable {
    /// Key type: `"EC"`, `"RSA"` or `"OKP"`.
    public var kty: String
    /// Curve: `"P-256"`, `"P-384"` or `"Ed25519"`.
    public var crv: String?
    /// EC x coordinate or OKP public key, base64url.
    public var x: String?
    /// EC y coordinate, base64url.
    public var y: String?
    /// RSA modulus, base64url.
    public var n: String?
    /// RSA public exponent, base64url.
    public var e: String?
    /// Key id (the RFC 7638 thumbprint for keys made here).
    public var kid: String?
    /// JWS algorithm, e.g. `"ES256"`.
    public var alg: String?
    /// Public key use, `"sig"`.
    public var use: String?

    /// Creates a JWK from its members.
    public init(
        kty: String, crv: String? = nil, x: String? = nil, y: String? = nil, n: String? = nil,
        e: String? = nil, kid: String? = nil, alg: String? = nil, use: String? = nil
    ) {
        self.kty = kty
        self.crv = crv
        self.x = x
        self.y = y
        self.n = n
        self.e = e
        self.kid = kid
        self.alg = alg
        self.use = use
    }

    /// Appends this JWK as compact JSON (members in declaration order, `nil` omitted).
    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("kty", kty)
        writer.member("crv", crv)
        writer.member("x", x)
        writer.member("y", y)
        writer.member("n", n)
        writer.member("e", e)
        writer.member("kid", kid)
        writer.member("alg", alg)
        writer.member("use", use)
        writer.endObject()
    }

    /// This JWK as compact JSON bytes.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter()
        writeJSON(to: &writer)
        return writer.bytes
    }
}
