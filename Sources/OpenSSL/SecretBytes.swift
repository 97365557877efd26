internal import CLibcrypto

/// Secret bytes held by Swift (a hash key, a secret's digest, a private-key file read before
/// OpenSSL parses it), wiped with `OPENSSL_cleanse` when the last copy is released.
///
/// Like swift-crypto's `SecureBytes`: a value type over one private heap buffer that is never
/// reallocated and so never leaves an unwiped copy behind. Copies of the value share the buffer;
/// reading it through `withUnsafeBytes` copies nothing, so it is cheap on the hot path.
/// `description` never shows the bytes.
public struct SecretBytes: Sendable, Equatable, CustomStringConvertible {
    private var storage: Storage

    /// Takes `bytes` and wipes the caller's array, so that only this value holds them.
    /// (An array that shares the caller's buffer keeps its bytes: pass one that is not shared.)
    public init(wiping bytes: inout [UInt8]) {
        let storage = Storage(capacity: bytes.count)
        self.storage = storage
        bytes.withUnsafeMutableBytes { source in
            storage.append(UnsafeRawBufferPointer(source))
            if let base = source.baseAddress { OPENSSL_cleanse(base, source.count) }
        }
    }

    /// An empty value that can take up to `capacity` bytes through `append(_:)`.
    package init(capacity: Int, onRelease: (@Sendable (UnsafeRawBufferPointer) -> Void)? = nil) {
        storage = Storage(capacity: capacity, onRelease: onRelease)
    }

    /// The number of bytes held.
    public var count: Int { storage.count }

    /// Calls `body` with the bytes, without copying them. `body` must not keep the pointer.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
    }

    /// Whether the bytes equal `other`, compared in constant time (`CRYPTO_memcmp`).
    /// Different lengths compare unequal; the length is not secret.
    public func constantTimeEquals(_ other: [UInt8]) -> Bool {
        withUnsafeBytes { mine in other.withUnsafeBytes { ConstantTime.equals(mine, $0) } }
    }

    /// Equal contents, compared in constant time.
    public static func == (a: SecretBytes, b: SecretBytes) -> Bool {
        a.withUnsafeBytes { a in b.withUnsafeBytes { ConstantTime.equals(a, $0) } }
    }

    /// Appends `bytes`; the value's capacity must have room (the buffer never moves).
    /// Only for building a value that no copy shares yet, such as a file being read.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(isKnownUniquelyReferenced(&storage), "SecretBytes is shared; build it before copying it")
        storage.append(bytes)
    }

    /// Lets `fill` write into the free capacity and keeps the number of bytes it returns.
    /// Only for building a value that no copy shares yet.
    package mutating func appendInPlace(_ fill: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows {
        precondition(isKnownUniquelyReferenced(&storage), "SecretBytes is shared; build it before copying it")
        try storage.appendInPlace(fill)
    }

    /// The bytes left to `append` before the buffer is full.
    package var remainingCapacity: Int { storage.capacity - storage.count }

    /// `SecretBytes(<n> bytes)`.
    public var description: String { "SecretBytes(\(count) bytes)" }
}

extension SecretBytes {
    /// Owns the buffer; cleanses all of its capacity, then frees it.
    private final class Storage: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let capacity: Int
        private(set) var count = 0
        private let onRelease: (@Sendable (UnsafeRawBufferPointer) -> Void)?

        init(capacity: Int, onRelease: (@Sendable (UnsafeRawBufferPointer) -> Void)? = nil) {
            self.capacity = capacity
            self.onRelease = onRelease
            base = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        }

        func append(_ bytes: UnsafeRawBufferPointer) {
            precondition(bytes.count <= capacity - count, "SecretBytes capacity exceeded")
            if let source = bytes.baseAddress, bytes.count > 0 {
                (base + count).copyMemory(from: source, byteCount: bytes.count)
            }
            count += bytes.count
        }

        func appendInPlace(_ fill: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows {
            let written = try fill(UnsafeMutableRawBufferPointer(start: base + count, count: capacity - count))
            precondition((0...(capacity - count)).contains(written), "SecretBytes fill overran its buffer")
            count += written
        }

        deinit {
            OPENSSL_cleanse(base, max(capacity, 1))
            // The test hook sees the buffer after the wipe, before it is freed.
            onRelease?(UnsafeRawBufferPointer(start: base, count: capacity))
            base.deallocate()
        }
    }
}
