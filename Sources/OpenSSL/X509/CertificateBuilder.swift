internal import CLibcrypto

/// Fills in a new v3 certificate field by field and signs it. Internal: `CertificateAuthority`
/// decides what goes in; every OpenSSL return code is checked here.
struct CertificateBuilder {
    private let handle: X509Handle

    init() throws {
        guard let pointer = X509_new() else {
            throw OpenSSLError.error(.encodingFailed, "cannot allocate a certificate")
        }
        handle = X509Handle(taking: pointer)
        guard X509_set_version(pointer, 2) == 1 else {  // 2 means v3
            throw OpenSSLError.error(.encodingFailed, "cannot set the certificate version")
        }
    }

    var pointer: OpaquePointer { handle.pointer }

    /// A positive serial of 16 random octets: 126 bits of randomness (RFC 5280 §4.1.2.2: ≤ 20 octets;
    /// CA/B forum: ≥ 64 bits). The top bits are fixed so that DER needs neither a sign byte nor fewer octets.
    func setRandomSerial() throws {
        var bytes = try SecureRandom.bytes(16)
        bytes[0] = (bytes[0] & 0x3F) | 0x40
        guard let bn = BN_bin2bn(bytes, Int32(bytes.count), nil) else {
            throw OpenSSLError.error(.encodingFailed, "cannot build the serial number")
        }
        defer { BN_free(bn) }
        guard let integer = BN_to_ASN1_INTEGER(bn, nil) else {
            throw OpenSSLError.error(.encodingFailed, "cannot encode the serial number")
        }
        defer { ASN1_INTEGER_free(integer) }
        guard X509_set_serialNumber(pointer, integer) == 1 else {
            throw OpenSSLError.error(.encodingFailed, "cannot set the serial number")
        }
    }

    func setValidity(notBefore: Int64, notAfter: Int64) throws {
        guard notAfter > notBefore else {
            throw CryptoError(.encodingFailed, "the certificate's notAfter must be after its notBefore")
        }
        guard ASN1_TIME_set(X509_getm_notBefore(pointer), time_t(notBefore)) != nil,
            ASN1_TIME_set(X509_getm_notAfter(pointer), time_t(notAfter)) != nil
        else {
            throw OpenSSLError.error(.encodingFailed, "cannot set the validity period")
        }
    }

    /// Sets the subject to `CN=commonName` (and `O=organization`), both UTF8String.
    func setSubject(commonName: String, organization: String? = nil) throws {
        guard let name = X509_get_subject_name(pointer) else {
            throw OpenSSLError.error(.encodingFailed, "cannot read the subject name")
        }
        var entries = [(NID_commonName, commonName)]
        if let organization { entries.insert((NID_organizationName, organization), at: 0) }
        for (nid, value) in entries {
            let bytes = Array(value.utf8)
            // A plain string type (not MBSTRING_*) stores the bytes as given, as a UTF8String.
            let added = X509_NAME_add_entry_by_NID(name, nid, V_ASN1_UTF8STRING, bytes, Int32(bytes.count), -1, 0)
            guard added == 1 else {
                throw OpenSSLError.error(.encodingFailed, "cannot set the subject name")
            }
        }
    }

    /// Copies the issuer name from `issuer`'s subject (or this certificate's own, when self-signed).
    func setIssuer(_ issuer: OpaquePointer?) throws {
        guard let name = X509_get_subject_name(issuer ?? pointer), X509_set_issuer_name(pointer, name) == 1 else {
            throw OpenSSLError.error(.encodingFailed, "cannot set the issuer name")
        }
    }

    func setPublicKey(_ key: EVPKey) throws {
        guard X509_set_pubkey(pointer, key.pointer) == 1 else {
            throw OpenSSLError.error(.encodingFailed, "cannot set the public key")
        }
    }

    /// Adds an extension from constant OpenSSL config text; `issuer` is the signing certificate
    /// (for the authority key identifier), `nil` when self-signed.
    func addExtension(_ nid: Int32, _ value: StaticString, issuer: OpaquePointer?) throws {
        let ok = value.withUTF8Buffer { text in
            text.withMemoryRebound(to: CChar.self) { chars in
                // StaticString has no terminating NUL guarantee through this API: copy with one.
                let terminated = Array(chars) + [0]
                return patgate_X509_add_conf_extension(pointer, issuer ?? pointer, nid, terminated)
            }
        }
        guard ok == 1 else {
            throw OpenSSLError.error(.encodingFailed, "cannot add the certificate extension \(value)")
        }
    }

    /// Adds a subjectAltName with one URI.
    func addURISubjectAltName(_ uri: String) throws {
        let bytes = Array(uri.utf8)
        guard patgate_X509_add_uri_san(pointer, bytes, Int32(bytes.count)) == 1 else {
            throw OpenSSLError.error(.encodingFailed, "cannot add the subject alternative name")
        }
    }

    /// Signs with `key` (SHA-256, SHA-384 for P-384, none for Ed25519) and returns the finished certificate.
    func sign(with key: EVPKey) throws -> Certificate {
        let digest: OpaquePointer?
        switch PublicKeyInfo(key.kind) {
        case .ec(curve: "P-384"): digest = EVP_sha384()
        case .ed25519: digest = nil
        default: digest = EVP_sha256()
        }
        guard X509_sign(pointer, key.pointer, digest) > 0 else {
            throw OpenSSLError.error(.signingFailed, "cannot sign the certificate")
        }
        return Certificate(handle)
    }
}
