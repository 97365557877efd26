import PatgateCore
import Testing

/// `Dictionary.makeRoom`, which the caches and the usage and login throttles call when they are
/// full: whatever went stale goes, and at least a tenth of the bound is freed, spread over the
/// whole table.
@Suite struct DictionaryMakeRoomTests {
    /// A full cache of 1,000 entries whose values are 0..<1,000.
    let full = Dictionary(uniqueKeysWithValues: (0..<1_000).map { ($0, $0) })

    @Test func aFewStaleEntriesStillFreeATenth() {
        var entries = full
        let freed = entries.makeRoom(limit: 1_000, droppingStale: { $0 < 5 })
        #expect(freed == 100 && entries.count == 900)
        #expect(entries.values.allSatisfy { $0 >= 5 })
    }

    @Test func manyStaleEntriesAreAllDroppedAndNothingElse() {
        var entries = full
        let freed = entries.makeRoom(limit: 1_000, droppingStale: { $0 < 400 })
        #expect(freed == 400)
        #expect(Set(entries.values) == Set(400..<1_000))
    }

    @Test func whatGoesIsSpreadOverTheWholeOrderNotItsFirstEntries() {
        var entries = full
        let order = Array(full.keys)
        entries.makeRoom(limit: 1_000, droppingStale: { _ in false })
        let gone = order.indices.filter { entries[order[$0]] == nil }
        #expect(gone.count == 100)
        // Every tenth: no two dropped entries are further apart in the order than that.
        #expect(zip(gone, gone.dropFirst()).allSatisfy { $1 - $0 <= 10 })
        #expect(gone.last! >= 900)
    }

    @Test func aBoundOfOneEmptiesTheCache() {
        var entries = [1: 1]
        #expect(entries.makeRoom(limit: 1, droppingStale: { _ in false }) == 1)
        #expect(entries.isEmpty)
    }
}
