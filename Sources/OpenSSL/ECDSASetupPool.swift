internal import CLibcrypto
import Synchronization

/// ECDSA signature set-ups of one EC key, made before the messages they will sign.
///
/// An ECDSA signature draws a random nonce k and computes r = (k·G).x and k⁻¹ mod n, then
/// s = k⁻¹(h + r·d) from the message's hash h. The first part, OpenSSL's `ECDSA_sign_setup`,
/// does not depend on the message and is nearly all of the cost (P-256: about 17 of 20 µs;
/// BENCHMARKS.md, "Issue 14", session 35). This pool holds up to `capacity` set-ups, made by
/// `SetupRefiller` on a thread that runs only on an otherwise idle core; a signature that finds
/// one costs its request about 1 µs. One that finds none (the pool is empty, or another thread
/// holds it this instant) returns `nil` and the caller signs the usual way: the pool never makes
/// a request wait.
///
/// A nonce is as secret as the private key: a known or reused k gives the key away. Each set-up
/// leaves the pool once, its slot cleansed, and the signature's copy is cleansed after it; after a
/// `fork` the child drops the set-ups it inherited, which its parent may use too. A copy of the
/// whole process (a VM snapshot restored twice, CRIU) cannot be told apart: where that happens,
/// `keys.ecdsa_setups_ahead: false` (README) keeps every nonce bound to its message.
final class ECDSASetupPool: @unchecked Sendable {
    static let capacity = 1024
    /// Whether signatures use set-ups from their pool: off until the server's configuration
    /// (`keys.ecdsa_setups_ahead`) turns it on, as they bring latency tails at partial load
    /// (BENCHMARKS.md, "Issue 14", session 35).
    static var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    private static let enabled = Atomic<Bool>(false)
    /// The refiller is woken when a signature leaves fewer than this.
    static let refillBelow = 768

    /// Which slots of `slab` hold a set-up (with the `SetupRefiller.generation` it was made
    /// in) and which are free. Both arrays keep their capacity: no allocation after `init`.
    private struct Slots {
        var ready: [(slot: Int32, generation: UInt32)] = []
        var empty: [Int32] = []
    }

    /// The key's `EC_KEY`; OpenSSL only reads it, from any thread.
    private let key: OpaquePointer
    private let digest: OpaquePointer
    private let digestSize: Int
    private let coordinateSize: Int
    /// `capacity` set-ups of k⁻¹ || r as bytes, allocated once. The set-ups cross from the
    /// refiller to the loops as bytes, never as memory one thread allocated and another frees:
    /// a loop freeing the refiller's `BIGNUM`s took the refiller's malloc arena lock, and when
    /// the idle thread was preempted holding it the loop waited milliseconds (BENCHMARKS.md).
    private let slab: UnsafeMutableRawBufferPointer
    private let slots: Mutex<Slots>
    private let refillAsked = Atomic<Bool>(false)

    /// A pool for an EC `key` that hashes with `digestName`; `nil` (the key then signs the usual
    /// way) if OpenSSL runs in FIPS mode or the key lives in a provider other than OpenSSL's
    /// default one (the set-ups use libcrypto's own EC code, outside any provider), or if
    /// OpenSSL cannot give the key's `EC_KEY` or the digest.
    init?(key: EVPKey, digestName: String, coordinateSize: Int) {
        guard EVP_default_properties_is_fips_enabled(nil) == 0, Self.inDefaultProvider(key),
              let ecKey = patgate_EVP_PKEY_get1_EC_KEY(key.pointer)
        else {
            OpenSSLError.clear()
            return nil
        }
        guard let digest = EVP_MD_fetch(nil, digestName, nil) else {
            patgate_EC_KEY_free(ecKey)
            OpenSSLError.clear()
            return nil
        }
        self.key = ecKey
        self.digest = digest
        self.digestSize = Int(EVP_MD_get_size(digest))
        self.coordinateSize = coordinateSize
        slab = .allocate(byteCount: Self.capacity * 2 * coordinateSize, alignment: 16)
        slab.initializeMemory(as: UInt8.self, repeating: 0)
        var slots = Slots()
        slots.ready.reserveCapacity(Self.capacity)
        slots.empty = (0..<Int32(Self.capacity)).reversed()
        self.slots = Mutex(slots)
        _ = SetupRefiller.shared  // its exit handler must be in place before any set-up is made
    }

    private static func inDefaultProvider(_ key: EVPKey) -> Bool {
        guard let provider = EVP_PKEY_get0_provider(key.pointer) else { return true }  // a legacy key
        return OSSL_PROVIDER_get0_name(provider).map { String(cString: $0) == "default" } ?? false
    }

    deinit {
        OPENSSL_cleanse(slab.baseAddress, slab.count)
        slab.deallocate()
        // At exit OpenSSL may already have freed what these would free into: leave them.
        guard !SetupRefiller.isExiting else { return }
        patgate_EC_KEY_free(key)
        EVP_MD_free(digest)
    }

    /// Signs `message` with a set-up from the pool, writing R||S into `output` (at least
    /// 2 × the coordinate size); returns its length, or `nil` when no set-up was at hand.
    func sign(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard Self.isEnabled else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: 2 * coordinateSize + Int(EVP_MAX_MD_SIZE), alignment: 16) { scratch -> Int? in
            defer { OPENSSL_cleanse(scratch.baseAddress, scratch.count) }
            let setup = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(2 * coordinateSize)])
            let hash = UnsafeMutableRawBufferPointer(rebasing: scratch[(2 * coordinateSize)...])
            guard take(into: setup) else { return nil }
            var hashLength: UInt32 = 0
            let hashed = message.withNonNullBase { base in
                EVP_Digest(base, message.count, hash.baseAddress?.assumingMemoryBound(to: UInt8.self), &hashLength, digest, nil)
            }
            guard hashed == 1, Int(hashLength) == digestSize,
                  patgate_ECDSA_sign_with_setup_bytes(
                      key, hash.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(hashLength),
                      setup.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(coordinateSize),
                      output.baseAddress?.assumingMemoryBound(to: UInt8.self)) == 1
            else {
                OpenSSLError.clear()
                return nil
            }
            return 2 * coordinateSize
        }
    }

    /// Set-ups held now.
    var count: Int { slots.withLock { $0.ready.count } }

    private func slot(_ index: Int32) -> UnsafeMutableRawBufferPointer {
        let stride = 2 * coordinateSize
        return UnsafeMutableRawBufferPointer(rebasing: slab[(Int(index) * stride)..<(Int(index) * stride + stride)])
    }

    /// Moves one set-up into `setup` and clears its slot; `false` if none was at hand.
    private func take(into setup: UnsafeMutableRawBufferPointer) -> Bool {
        let generation = SetupRefiller.generation
        let taken = slots.withLockIfAvailable { slots -> (Bool, Int) in
            guard let (index, made) = slots.ready.popLast() else { return (false, 0) }
            guard made == generation else {
                // Made before a fork: the parent holds the same nonces. Drop every one.
                OPENSSL_cleanse(slab.baseAddress, slab.count)
                slots.empty.append(index)
                slots.empty.append(contentsOf: slots.ready.map(\.slot))
                slots.ready.removeAll(keepingCapacity: true)
                return (false, 0)
            }
            let stored = slot(index)
            setup.copyMemory(from: UnsafeRawBufferPointer(stored))
            OPENSSL_cleanse(stored.baseAddress, stored.count)
            slots.empty.append(index)
            return (true, slots.ready.count)
        }
        let (found, left) = taken ?? (false, Self.capacity)
        // Loaded first: while the pool stays low, both event loops would otherwise write the flag's line.
        if left < Self.refillBelow, !refillAsked.load(ordering: .relaxed), !refillAsked.exchange(true, ordering: .relaxed),
           !SetupRefiller.shared.refill(self) {
            refillAsked.store(false, ordering: .relaxed)  // the queue was busy: a later signature asks again
        }
        return found
    }

    /// Makes set-ups until every slot holds one; on the refiller's thread only. Each is made
    /// into a free slot outside the lock, which is held only to take the slot and to publish it.
    func fill() {
        refillAsked.store(false, ordering: .relaxed)
        let generation = SetupRefiller.generation
        while let index = slots.withLock({ $0.empty.popLast() }) {
            var made = false
            let running = SetupRefiller.shared.unlessExiting {
                let stored = slot(index)
                made = patgate_ECDSA_sign_setup_bytes(key, stored.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(coordinateSize)) == 1
                if !made { OpenSSLError.clear() }
            }
            slots.withLock { slots in
                if made { slots.ready.append((index, generation)) } else { slots.empty.append(index) }
            }
            guard made, running else { return }
        }
    }
}
