internal import CLibcrypto

/// Owns one `X509*` and frees it in `deinit`.
///
/// Certificates are built in one place (`CertificateBuilder`) and never mutated once signed;
/// OpenSSL allows concurrent read-only use of a finished `X509`, so it may be shared.
final class X509Handle: @unchecked Sendable {
    /// The owned certificate. Valid for the lifetime of `self`.
    let pointer: OpaquePointer

    /// Takes ownership of `pointer` (one reference).
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        X509_free(pointer)
    }
}
