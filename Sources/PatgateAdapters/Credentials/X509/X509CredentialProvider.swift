import OpenSSL
import PatgateCore

/// Issues a TLS client certificate for the key in the exchange's `csr` parameter (PKCS#10, PEM or
/// base64url DER), signed by the configured CA and valid exactly as long as the access token.
///
/// Without `csr` it issues nothing, so clients that want only the other credentials send none.
public struct X509CredentialProvider: CredentialProvider {
    /// The exchange parameter holding the certificate signing request.
    public static let parameter = "csr"
    /// RFC 5280's upper bound for a common name.
    static let maximumCommonNameLength = 64

    public let settings: X509Settings

    public init(settings: X509Settings) {
        self.settings = settings
    }

    public var name: String { "x509" }

    /// Nothing to publish: the CA certificate comes with every issued chain.
    public var publicSettings: [CredentialField] { [] }

    public func prepare(_ request: CredentialRequest) throws(CredentialError) -> (any PreparedCredential)? {
        let text: String?
        do {
            text = try request.form.single(Self.parameter)
        } catch {
            throw CredentialError(.invalidRequest, error.description)
        }
        guard let text else { return nil }
        let csr: CertificateSigningRequest
        do {
            csr = try CertificateSigningRequest(text)
        } catch {
            throw CredentialError(.invalidRequest, "csr: \(Self.message(error))")
        }
        if let refusal = settings.refusal(of: csr.keyInfo) {
            throw CredentialError(.invalidRequest, "csr: \(refusal)")
        }
        let user = request.subject.subject
        if let refusal = Self.commonNameRefusal(user) {
            throw CredentialError(.notPermitted, refusal)
        }
        let notBefore = request.issuedAt
        let notAfter = request.capped(request.tokenExpiresAt)
        guard notAfter > notBefore else {
            throw CredentialError(.notPermitted, "the PAT expires before a certificate could be valid")
        }
        guard notAfter <= settings.authority.notAfter else {
            throw CredentialError(.unavailable, "the gateway's CA certificate expires before the requested certificate would; renew the CA")
        }
        return Prepared(authority: settings.authority, csr: csr, commonName: user,
                        uri: settings.subjectURI.render(user: user), notBefore: notBefore, notAfter: notAfter)
    }

    /// Why the upstream's subject cannot be a certificate's common name, or `nil`: it must be
    /// 1 to 64 characters (RFC 5280 ub-common-name, counted as a UTF8String counts them: in
    /// Unicode scalars, not grapheme clusters) and hold no control character (C0, DEL or C1).
    /// The message never quotes the subject.
    static func commonNameRefusal(_ user: String) -> String? {
        let scalars = user.unicodeScalars
        guard !scalars.isEmpty else {
            return "the subject is empty; a certificate's common name cannot be"
        }
        guard scalars.count <= maximumCommonNameLength else {
            return "the subject is longer than the \(maximumCommonNameLength) characters a certificate's common name may hold"
        }
        guard !scalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "the subject holds control characters, which a certificate's common name may not"
        }
        return nil
    }

    /// The error's own message for JOSE errors (free of secrets and of the input), else a generic one.
    static func message(_ error: any Error) -> String {
        (error as? CryptoError)?.message ?? "the CSR could not be read"
    }

    struct Prepared: PreparedCredential {
        let authority: CertificateAuthority
        let csr: CertificateSigningRequest
        let commonName: String
        let uri: String
        let notBefore: Int64
        let notAfter: Int64

        func issue() async throws(CredentialError) -> IssuedCredential {
            let certificate: Certificate
            let leaf: String
            do {
                certificate = try authority.issue(for: csr, commonName: commonName, uri: uri,
                                                  notBefore: notBefore, notAfter: notAfter)
                leaf = try certificate.pem()
            } catch {
                throw CredentialError(.unavailable, "the certificate could not be signed: \(X509CredentialProvider.message(error))")
            }
            return IssuedCredential(
                fields: [
                    CredentialField("x509_certificate", leaf + authority.chainPEM),
                    CredentialField("x509_expiration", RFC3339.format(notAfter)),
                ],
                id: certificate.serialHex, expiresAt: notAfter)
        }
    }
}
