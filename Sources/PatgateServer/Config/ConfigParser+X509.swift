import Foundation
import OpenSSL
import PatgateAdapters

extension ConfigParser {
    /// Where `patgate ca init` writes, and where `credentials.x509` looks by default (data-dir relative).
    static let defaultCACertificate = "secrets/ca.pem"
    static let defaultCAKey = "secrets/ca-key.pem"

    /// `credentials.x509.*`. On when `enabled` says so; unset, on when `ca_certificate` or `ca_key`
    /// is set, or when the default files exist (as after `patgate ca init`). Loads the CA once.
    mutating func parseX509() -> X509Settings? {
        let certificateKey = "credentials.x509.ca_certificate", keyKey = "credentials.x509.ca_key"
        let configured = reader.string(certificateKey) != nil || reader.string(keyKey) != nil
        let certificatePath = path(reader.string(certificateKey, default: Self.defaultCACertificate))
        let keyPath = path(reader.string(keyKey, default: Self.defaultCAKey))
        let files = FileManager.default
        let found = files.fileExists(atPath: certificatePath) && files.fileExists(atPath: keyPath)
        // Read before the switch, so they are known keys when the provider is off.
        let minimumRSABits = reader.int("credentials.x509.min_rsa_bits", default: X509Settings.defaultMinimumRSABits,
                                        in: 2_048...16_384)
        let subjectURI = reader.string("credentials.x509.subject_uri", default: X509Settings.defaultSubjectURI)
        guard reader.bool("credentials.x509.enabled", default: configured || found) else { return nil }

        var problem: String?
        let template = SubjectURITemplate(subjectURI, problem: &problem)
        if let problem { reader.problem("credentials.x509.subject_uri", problem) }
        let authority: CertificateAuthority
        do {
            authority = try CertificateAuthority(certificateFile: certificatePath, keyFile: keyPath)
        } catch {
            let hint = found ? "" : " (run `patgate ca init` to create a CA, or set credentials.x509.enabled: false)"
            let message = (error as? CryptoError)?.message ?? "\(error)"
            reader.problem("credentials.x509", message + hint)
            return nil
        }
        if authority.notAfter <= Int64(Date().timeIntervalSince1970) {
            reader.problem(certificateKey, "the CA certificate \(certificatePath) has expired")
        }
        guard let template else { return nil }
        return X509Settings(authority: authority, certificatePath: certificatePath, keyPath: keyPath,
                            subjectURI: template, minimumRSABits: minimumRSABits)
    }
}
