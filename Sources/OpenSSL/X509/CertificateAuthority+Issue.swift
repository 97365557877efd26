internal import CLibcrypto

extension CertificateAuthority {
    /// Issues a TLS client certificate for the key in `request`.
    ///
    /// Nothing is copied from the request but its public key: the subject is `CN=commonName`
    /// (UTF8String), the only subject alternative name is `uri`, and the extensions are fixed —
    /// basicConstraints CA:FALSE and keyUsage digitalSignature (both critical), extendedKeyUsage
    /// clientAuth, subject and authority key identifiers. The serial is random (16 octets).
    /// - Parameters:
    ///   - notBefore: start of validity, seconds since the epoch.
    ///   - notAfter: end of validity; must be after `notBefore`.
    /// - Throws: `CryptoError` `.encodingFailed`, `.signingFailed` or `.randomFailed`.
    public func issue(for request: CertificateSigningRequest, commonName: String, uri: String,
                      notBefore: Int64, notAfter: Int64) throws -> Certificate {
        let builder = try CertificateBuilder()
        let issuer = certificate.handle.pointer
        try builder.setRandomSerial()
        try builder.setValidity(notBefore: notBefore, notAfter: notAfter)
        try builder.setSubject(commonName: commonName)
        try builder.setIssuer(issuer)
        try builder.setPublicKey(request.publicKey)
        try builder.addExtension(NID_basic_constraints, "critical,CA:FALSE", issuer: issuer)
        try builder.addExtension(NID_key_usage, "critical,digitalSignature", issuer: issuer)
        try builder.addExtension(NID_ext_key_usage, "clientAuth", issuer: issuer)
        try builder.addExtension(NID_subject_key_identifier, "hash", issuer: issuer)
        try builder.addExtension(NID_authority_key_identifier, "keyid:always", issuer: issuer)
        try builder.addURISubjectAltName(uri)
        return try builder.sign(with: key)
    }
}
