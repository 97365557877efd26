extension Dictionary {
    /// Makes room in a map bounded to `limit` entries (the caches, the usage and login
    /// throttles) for its next insertion: drops the entries `isStale` names, then, if more than
    /// nine tenths of `limit` are left, every n-th of the others in the dictionary's order,
    /// down to nine tenths. Returns how many went.
    ///
    /// Why nine tenths: each call is a pass over every entry, which freeing at least a tenth
    /// pays for over the next `limit / 10` insertions; freeing just what had gone stale could
    /// free a handful, and the pass would come again a few insertions later.
    ///
    /// Why every n-th and not the first ones: the order is that of the hash table's buckets, and
    /// dropping the first tenth again and again left Swift's open-addressing table so clustered
    /// that looking up an absent key (every cache miss) took 23 µs instead of 70 ns; in the
    /// server a miss walk over a full cache fell to about half its rate, p99 400 ms
    /// (BENCHMARKS.md, "Issue 14", session 31).
    @discardableResult
    package mutating func makeRoom(limit: Int, droppingStale isStale: (Value) -> Bool) -> Int {
        var dropped: [Key] = []
        for (key, value) in self where isStale(value) { dropped.append(key) }
        var more = count - dropped.count - (limit - Swift.max(1, limit / 10))
        if more > 0 {
            let stride = Swift.max(1, (count - dropped.count) / more)
            var position = 0
            for (key, value) in self where !isStale(value) {
                if position % stride == 0 {
                    dropped.append(key)
                    more -= 1
                    if more == 0 { break }
                }
                position += 1
            }
        }
        for key in dropped { removeValue(forKey: key) }
        return dropped.count
    }
}
