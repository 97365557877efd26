/// The public half of a `PrivateKey` as unsigned big-endian integers or raw bytes,
/// which is what a JWK (RFC 7518 §6, RFC 8037 §2) encodes.
package enum PublicKeyComponents: Sendable, Equatable {
    /// An EC point; each coordinate left-padded to the curve's size.
    case ec(curve: String, x: [UInt8], y: [UInt8])
    /// An RSA modulus and public exponent.
    case rsa(n: [UInt8], e: [UInt8])
    /// An Ed25519 public key (32 bytes).
    case ed25519(x: [UInt8])
}

extension PrivateKey {
    /// The public components of this key, for `JOSE.SigningKey`'s JWK.
    /// - Throws: `CryptoError` `.encodingFailed` if OpenSSL cannot export them.
    package func publicKeyComponents() throws -> PublicKeyComponents {
        let key = context.key
        switch algorithm {
        case .es256, .es384:
            let size = algorithm.ecCoordinateSize ?? 32
            return .ec(
                curve: algorithm == .es256 ? "P-256" : "P-384",
                x: try key.bigNumberParameter("qx", padTo: size),
                y: try key.bigNumberParameter("qy", padTo: size))
        case .rs256, .ps256:
            return .rsa(n: try key.bigNumberParameter("n"), e: try key.bigNumberParameter("e"))
        case .edDSA:
            return .ed25519(x: try key.rawPublicKey())
        }
    }
}
