import OpenSSL

extension SigningKey {
    /// The public JWK of `key` (RFC 7517/7518, RFC 8037 for Ed25519) with its
    /// RFC 7638 thumbprint as `kid`, plus `alg` and `use: "sig"`.
    static func publicJWK(of key: PrivateKey) throws -> JWK {
        var jwk: JWK
        switch try key.publicKeyComponents() {
        case .ec(let curve, let x, let y):
            jwk = JWK(kty: "EC", crv: curve, x: Base64URL.encode(x), y: Base64URL.encode(y))
        case .rsa(let n, let e):
            jwk = JWK(kty: "RSA", n: Base64URL.encode(n), e: Base64URL.encode(e))
        case .ed25519(let x):
            jwk = JWK(kty: "OKP", crv: "Ed25519", x: Base64URL.encode(x))
        }
        guard let kid = jwk.thumbprint() else {
            throw CryptoError(.encodingFailed, "cannot compute the RFC 7638 thumbprint")
        }
        jwk.kid = kid
        jwk.alg = key.algorithm.rawValue
        jwk.use = "sig"
        return jwk
    }
}
