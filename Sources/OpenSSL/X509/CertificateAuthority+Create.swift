internal import CLibcrypto

extension CertificateAuthority {
    /// A new CA: a fresh key and a self-signed certificate, as PEM texts to store.
    public struct Created: Sendable {
        /// The loaded CA, ready to issue.
        public let authority: CertificateAuthority
        /// PKCS#8, unencrypted: store it with mode 0600.
        public let keyPEM: String
        /// The self-signed CA certificate, PEM.
        public let certificatePEM: String
    }

    /// Generates a key (`algorithm`'s: P-256, P-384, RSA-2048 or Ed25519) and a self-signed root
    /// certificate: basicConstraints CA:TRUE with pathlen 0 and keyUsage keyCertSign, cRLSign (both
    /// critical), subject and authority key identifiers, a random serial.
    /// - Throws: `CryptoError` `.algorithmMismatch` for PS256 (a CA signs with PKCS#1 v1.5), else as
    ///   the builder does.
    public static func create(algorithm: SignatureAlgorithm, commonName: String, organization: String? = nil,
                              notBefore: Int64, days: Int) throws -> Created {
        guard algorithm != .ps256 else {
            throw CryptoError(.algorithmMismatch, "a CA key is ES256, ES384, RS256 or EdDSA; PS256 is not used for certificates")
        }
        guard days > 0 else { throw CryptoError(.encodingFailed, "the CA validity must be at least one day") }
        let privateKey = try PrivateKey.generate(algorithm)
        let key = privateKey.context.key
        let builder = try CertificateBuilder()
        try builder.setRandomSerial()
        try builder.setValidity(notBefore: notBefore, notAfter: notBefore + Int64(days) * 86_400)
        try builder.setSubject(commonName: commonName, organization: organization)
        try builder.setIssuer(nil)
        try builder.setPublicKey(key)
        try builder.addExtension(NID_basic_constraints, "critical,CA:TRUE,pathlen:0", issuer: nil)
        try builder.addExtension(NID_key_usage, "critical,keyCertSign,cRLSign", issuer: nil)
        try builder.addExtension(NID_subject_key_identifier, "hash", issuer: nil)
        try builder.addExtension(NID_authority_key_identifier, "keyid:always", issuer: nil)
        let certificate = try builder.sign(with: key)
        let authority = try CertificateAuthority(chain: [certificate], key: key)
        return Created(authority: authority, keyPEM: try privateKey.privateKeyPEM(), certificatePEM: authority.chainPEM)
    }
}
