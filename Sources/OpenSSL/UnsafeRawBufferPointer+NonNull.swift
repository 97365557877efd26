extension UnsafeRawBufferPointer {
    /// Calls `body` with the base address, or with a valid one-byte dummy when the
    /// buffer is empty and has none: OpenSSL may treat a NULL input as an error
    /// (or, for `EVP_MAC_init`, as "keep the previous key") even with length 0.
    func withNonNullBase<R>(_ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        if let baseAddress { return try body(baseAddress) }
        return try withUnsafePointer(to: UInt8(0)) { try body(UnsafeRawPointer($0)) }
    }
}
