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
/// leaves the pool once and is cleared (`BN_clear_free`) after its one signature; after a
/// `fork` the child drops the set-ups it inherited, which its parent may use too. A copy of the
/// whole process (a VM snapshot restored twice, CRIU) cannot be told apart: where that happens,
/// `keys.ecdsa_setups_ahead: false` (README) keeps every nonce bound to its message.
final class ECDSASetupPool: @unchecked Sendable {
    static let capacity = 1024
    /// Whether signatures use set-ups from their pool: on, except in `patgate-bench`, which
    /// times whole signatures (a floor's term, BENCHMARKS.md "Method").
    static var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    private static let enabled = Atomic<Bool>(true)
    /// The refiller is woken when a signature leaves fewer than this.
    static let refillBelow = 768

    /// k⁻¹ and r, two `BIGNUM`s owned by the pool until taken.
    private struct Setup: @unchecked Sendable {
        let kinv: OpaquePointer
        let r: OpaquePointer
        /// `SetupRefiller.generation` when it was made.
        let generation: UInt32

        func clear() {
            BN_clear_free(kinv)
            BN_clear_free(r)
        }
    }

    /// The key's `EC_KEY`; OpenSSL only reads it, from any thread.
    private let key: OpaquePointer
    private let digest: OpaquePointer
    private let digestSize: Int
    private let coordinateSize: Int
    private let setups = Mutex<[Setup]>([])
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
        _ = SetupRefiller.shared  // its exit handler must be in place before any set-up is made
    }

    private static func inDefaultProvider(_ key: EVPKey) -> Bool {
        guard let provider = EVP_PKEY_get0_provider(key.pointer) else { return true }  // a legacy key
        return OSSL_PROVIDER_get0_name(provider).map { String(cString: $0) == "default" } ?? false
    }

    deinit {
        // At exit OpenSSL may already have freed what these would free into: leave them.
        guard !SetupRefiller.isExiting else { return }
        clearAll()
        patgate_EC_KEY_free(key)
        EVP_MD_free(digest)
    }

    private func clearAll() {
        setups.withLock { setups in
            for setup in setups { setup.clear() }
            setups.removeAll()
        }
    }

    /// Signs `message` with a set-up from the pool, writing R||S into `output` (at least
    /// 2 × the coordinate size); returns its length, or `nil` when no set-up was at hand.
    func sign(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard Self.isEnabled, let setup = take() else { return nil }
        defer { setup.clear() }
        return withUnsafeTemporaryAllocation(byteCount: Int(EVP_MAX_MD_SIZE), alignment: 1) { hash -> Int? in
            var hashLength: UInt32 = 0
            let hashed = message.withNonNullBase { base in
                EVP_Digest(base, message.count, hash.baseAddress?.assumingMemoryBound(to: UInt8.self), &hashLength, digest, nil)
            }
            guard hashed == 1, Int(hashLength) == digestSize,
                  patgate_ECDSA_sign_with_setup(
                      key, hash.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(hashLength), setup.kinv, setup.r,
                      output.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(coordinateSize)) == 1
            else {
                OpenSSLError.clear()
                return nil
            }
            return 2 * coordinateSize
        }
    }

    /// Set-ups held now.
    var count: Int { setups.withLock { $0.count } }

    private func take() -> Setup? {
        let taken = setups.withLockIfAvailable { setups in (setups.popLast(), setups.count) }
        var (setup, left) = taken ?? (nil, Self.capacity)
        if let inherited = setup, inherited.generation != SetupRefiller.generation {
            inherited.clear()  // made before a fork: the parent holds the same nonces
            clearAll()
            (setup, left) = (nil, 0)
        }
        // Loaded first: while the pool stays low, both event loops would otherwise write the flag's line.
        if left < Self.refillBelow, !refillAsked.load(ordering: .relaxed), !refillAsked.exchange(true, ordering: .relaxed),
           !SetupRefiller.shared.refill(self) {
            refillAsked.store(false, ordering: .relaxed)  // the queue was busy: a later signature asks again
        }
        return setup
    }

    /// Makes set-ups until the pool holds `capacity`; on the refiller's thread only. Each is
    /// made outside the lock, which is held only to add it.
    func fill() {
        refillAsked.store(false, ordering: .relaxed)
        var made = true
        let generation = SetupRefiller.generation
        while made, count < Self.capacity {
            let running = SetupRefiller.shared.unlessExiting {
                var kinv: OpaquePointer?
                var r: OpaquePointer?
                guard patgate_ECDSA_sign_setup(key, &kinv, &r) == 1, let kinv, let r else {
                    BN_clear_free(kinv)
                    BN_clear_free(r)
                    OpenSSLError.clear()
                    made = false
                    return
                }
                setups.withLock { $0.append(Setup(kinv: kinv, r: r, generation: generation)) }
            }
            made = made && running
        }
    }
}
