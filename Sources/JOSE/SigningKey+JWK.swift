extension SigningKey {
    /// The public JWK of `key` (RFC 7517/7518, RFC 8037 for Ed25519) with its
    /// RFC 7638 thumbprint as `kid`, plus `alg` and `use: "sig"`.
    static func publicJWK(of key: EVPKey, algorithm: SignatureAlgorithm) throws -> JWK {
        var jwk: JWK
        switch algorithm {
        case .es256, .es384:
            let size = algorithm.ecCoordinateSize ?? 32
            jwk = JWK(
                kty: "EC", crv: algorithm == .es256 ? "P-256" : "P-384",
                x: Base64URL.encode(try key.bigNumberParameter("qx", padTo: size)),
                y: Base64URL.encode(try key.bigNumberParameter("qy", padTo: size)))
        case .rs256, .ps256:
            jwk = JWK(
                kty: "RSA",
                n: Base64URL.encode(try key.bigNumberParameter("n")),
                e: Base64URL.encode(try key.bigNumberParameter("e")))
        case .edDSA:
            jwk = JWK(kty: "OKP", crv: "Ed25519", x: Base64URL.encode(try key.rawPublicKey()))
        }
        guard let kid = jwk.thumbprint() else {
            throw JOSEError(.encodingFailed, "cannot compute the RFC 7638 thumbprint")
        }
        jwk.kid = kid
        jwk.alg = algorithm.rawValue
        jwk.use = "sig"
        return jwk
    }
}
