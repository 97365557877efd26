/// The error every throwing API of `OpenSSL` (keys, X.509, SCRAM) and `JOSE` uses.
///
/// `message` says what failed and may quote OpenSSL's own error string, a file
/// path or an algorithm name, but never key material, PEM text or token contents.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: Sendable {
        /// The key could not be read: not a PEM, not a private key, encrypted, or malformed.
        case invalidKey
        /// The key is well-formed but of a type, curve or size this package does not sign with.
        case unsupportedKey
        /// An explicit algorithm was requested that the key cannot produce.
        case algorithmMismatch
        /// OpenSSL failed while signing.
        case signingFailed
        /// The random generator failed.
        case randomFailed
        /// A key or value could not be encoded.
        case encodingFailed
        /// A key file could not be read.
        case ioFailed
        /// A certificate signing request could not be read, or its signature does not verify.
        case invalidCSR
        /// A certificate could not be read, or is not fit for its role (a CA that is no CA).
        case invalidCertificate
    }

    /// What kind of failure this is.
    public let code: Code
    /// A human-readable reason, free of secrets.
    public let message: String

    /// Creates an error with a code and a secret-free message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `CryptoError(code): message`.
    public var description: String {
        "CryptoError(\(code)): \(message)"
    }
}
