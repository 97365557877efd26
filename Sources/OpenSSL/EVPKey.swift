internal import CLibcrypto

/// Owns one `EVP_PKEY*` and frees it in `deinit`.
///
/// Never mutated after init, and OpenSSL allows concurrent read-only use of an
/// `EVP_PKEY` (signing and verifying), so it may be shared across threads.
final class EVPKey: @unchecked Sendable {
    /// The owned key. Valid for the lifetime of `self`.
    let pointer: OpaquePointer

    /// Takes ownership of `pointer` (one reference).
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// What kind of key this is, as far as JOSE cares.
    enum Kind: Equatable {
        case ec(curve: String)
        case rsa(bits: Int)
        case ed25519
        case other(String)
    }

    /// Inspects the key's type, curve or size.
    var kind: Kind {
        if EVP_PKEY_is_a(pointer, "EC") == 1 {
            return .ec(curve: groupName ?? "unknown curve")
        }
        if EVP_PKEY_is_a(pointer, "RSA") == 1 {
            return .rsa(bits: Int(EVP_PKEY_get_bits(pointer)))
        }
        if EVP_PKEY_is_a(pointer, "ED25519") == 1 {
            return .ed25519
        }
        if let name = EVP_PKEY_get0_type_name(pointer) {
            return .other(String(cString: name))
        }
        return .other("type \(EVP_PKEY_get_base_id(pointer))")
    }

    /// The EC group's short name (e.g. `prime256v1`), or `nil`.
    private var groupName: String? {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        let ok = buffer.withUnsafeMutableBufferPointer {
            EVP_PKEY_get_group_name(pointer, $0.baseAddress, $0.count, &length)
        }
        guard ok == 1, length > 0, length < buffer.count else {
            OpenSSLError.clear()
            return nil
        }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The size in bytes of the buffer OpenSSL needs for one signature (DER for ECDSA).
    var maxSignatureSize: Int {
        Int(EVP_PKEY_get_size(pointer))
    }

    /// A big-number parameter (e.g. `"n"`, `"qx"`) as unsigned big-endian bytes,
    /// left-padded to `padTo` when given.
    func bigNumberParameter(_ name: String, padTo: Int? = nil) throws -> [UInt8] {
        var bn: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(pointer, name, &bn) == 1, let bn else {
            throw OpenSSLError.error(.encodingFailed, "cannot read key parameter '\(name)'")
        }
        defer { BN_free(bn) }
        let natural = (Int(BN_num_bits(bn)) + 7) / 8
        let size = padTo ?? natural
        guard natural <= size else {
            throw CryptoError(.encodingFailed, "key parameter '\(name)' is longer than \(size) bytes")
        }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            failed = BN_bn2binpad(bn, buffer.baseAddress, Int32(size)) != Int32(size)
            count = failed ? 0 : size
        }
        if failed { throw OpenSSLError.error(.encodingFailed, "cannot encode key parameter '\(name)'") }
        return bytes
    }

    /// The raw public key (32 bytes for Ed25519).
    func rawPublicKey() throws -> [UInt8] {
        var length = 0
        guard EVP_PKEY_get_raw_public_key(pointer, nil, &length) == 1, length > 0 else {
            throw OpenSSLError.error(.encodingFailed, "cannot read the raw public key")
        }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            failed = EVP_PKEY_get_raw_public_key(pointer, buffer.baseAddress, &length) != 1
            count = failed ? 0 : length
        }
        if failed { throw OpenSSLError.error(.encodingFailed, "cannot read the raw public key") }
        return bytes
    }
}
