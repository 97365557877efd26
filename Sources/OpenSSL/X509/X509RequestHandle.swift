internal import CLibcrypto

/// Owns one `X509_REQ*` and frees it in `deinit`. Never mutated after parsing.
final class X509RequestHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        X509_REQ_free(pointer)
    }
}
