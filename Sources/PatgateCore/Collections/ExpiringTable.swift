/// A map whose entries each live until a deadline, bounded to `limit` entries: the validation
/// cache, the forward-auth JWT cache and the S3 credential cache keep their answers in one, the
/// usage and login throttles their records.
///
/// When full, an insertion drops one entry: of the `candidates` entries that follow the new
/// one in the hash table's own order, the one that expires first (an expired one, if any).
/// Making room is a few steps under the cache's lock, never a pass over the table: a pass over
/// 100,000 entries once per 10,000 misses doubled a miss walk's p99 (BENCHMARKS.md, "Issue 14",
/// session 32). The new key's place in that order is where its hash puts it, so the
/// candidates are as good as random, and drawn from the whole table: dropping the first
/// entries of the order again and again clustered the table until looking up an absent key
/// took 23 µs (session 31). Sampling the soonest deadline (as Redis's `volatile-ttl`) keeps
/// the entries with the most life left, and the table needs nothing beside its entries (a
/// queue of keys in insertion order would cost 40 bytes more per entry).
///
/// Not thread-safe: its owners hold it in their `Mutex`. Public and `@inlinable`, so that each
/// cache, in whichever module, gets a copy specialized to its key: the generic one hashes and
/// compares keys through witness tables, and made a cache lookup about a quarter slower
/// (`patgate-bench`, "cache lookup (hit), 1000 PATs cached": 1,248 against 979 ns, medians of
/// five runs). `package` with `@inlinable` was not specialized in PatgateAdapters (Swift 6.3;
/// `objdump` showed `CachingTokenValidator.hit` calling the generic `value(for:at:)`).
public struct ExpiringTable<Key: Hashable, Value> {
    @usableFromInline
    struct Entry {
        @usableFromInline var value: Value
        @usableFromInline var deadline: Int64

        @inlinable
        init(value: Value, deadline: Int64) {
            self.value = value
            self.deadline = deadline
        }
    }

    /// Entries kept at most.
    public let limit: Int
    /// How many entries a full table compares to choose the one it drops.
    @inlinable
    static var candidates: Int { 3 }
    @usableFromInline
    var entries: [Key: Entry] = [:]

    @inlinable
    public init(limit: Int) {
        self.limit = limit
    }

    /// Entries held, including expired ones not yet dropped.
    @inlinable
    public var count: Int { entries.count }

    /// The value stored for `key`, unless it expired by `time`.
    @inlinable
    public func value(for key: Key, at time: Int64) -> Value? {
        guard let entry = entries[key], entry.deadline > time else { return nil }
        return entry.value
    }

    /// Stores `value` for `key` until `deadline`, replacing what was there. Returns whether
    /// another entry was dropped to make room (the table was full and `key` new).
    @inlinable
    @discardableResult
    public mutating func insert(_ value: Value, for key: Key, until deadline: Int64, at time: Int64) -> Bool {
        guard limit > 0, deadline > time else { return false }
        let replaced = entries.updateValue(Entry(value: value, deadline: deadline), forKey: key) != nil
        guard !replaced, entries.count > limit else { return false }
        dropSoonestExpiring(after: key)
        return true
    }

    /// Removes the entries `shouldRemove` names (a revocation's purge: one pass, as rare as
    /// revocations are). Returns how many went.
    @inlinable
    @discardableResult
    public mutating func removeAll(where shouldRemove: (Key, Value) -> Bool) -> Int {
        let before = entries.count
        entries = entries.filter { key, entry in !shouldRemove(key, entry.value) }
        return before - entries.count
    }

    /// Removes the entry for `key`, if any.
    @inlinable
    public mutating func removeValue(forKey key: Key) {
        entries.removeValue(forKey: key)
    }

    @inlinable
    public mutating func removeAll() {
        entries.removeAll()
    }

    /// Drops, of the entries that follow `key` in the table's order (wrapping around), the one
    /// with the soonest deadline among the first `candidates`.
    @inlinable
    mutating func dropSoonestExpiring(after key: Key) {
        guard var index = entries.index(forKey: key) else { return }
        var victim: Dictionary<Key, Entry>.Index?
        var soonest = Int64.max
        for _ in 0..<Self.candidates {
            index = entries.index(after: index)
            if index == entries.endIndex { index = entries.startIndex }
            let candidate = entries[index]
            if candidate.key == key { break }   // fewer entries than candidates: all seen
            if candidate.value.deadline < soonest {
                victim = index
                soonest = candidate.value.deadline
            }
        }
        if let victim { entries.remove(at: victim) }
    }
}
