import Testing
import PatgateCore

/// `ExpiringTable`, the bounded map under the caches and the usage and login throttles: a full
/// table drops one entry per new key, the one of its candidates that expires first.
struct ExpiringTableTests {
    @Test func aFullTableDropsOneEntryForEachNewKeyAndKeepsTheNewOne() {
        var table = ExpiringTable<Int, Int>(limit: 100)
        for key in 0..<100 { table.insert(key, for: key, until: 1_000, at: 0) }
        #expect(table.count == 100)
        for key in 100..<1_100 {
            let dropped = table.insert(key, for: key, until: 1_000, at: 0)
            #expect(dropped)
            #expect(table.count == 100)
            #expect(table.value(for: key, at: 0) == key)
        }
    }

    @Test func ofTheCandidatesTheEntryThatExpiresFirstGoes() {
        // With three entries, the candidates after a fourth are the other three, whatever the order.
        for deadlines in [[300, 100, 200], [100, 300, 200], [300, 200, 100]] {
            var table = ExpiringTable<Int, Int>(limit: 3)
            for (key, deadline) in deadlines.enumerated() { table.insert(key, for: key, until: Int64(deadline), at: 0) }
            table.insert(3, for: 3, until: 500, at: 0)
            let soonest = deadlines.firstIndex(of: 100)!
            #expect(table.value(for: soonest, at: 0) == nil)
            #expect((0..<4).filter { table.value(for: $0, at: 0) != nil }.count == 3)
        }
    }

    @Test func anExpiredEntryGoesBeforeAnyLiveOne() {
        var table = ExpiringTable<Int, Int>(limit: 3)
        table.insert(0, for: 0, until: 5_000, at: 0)
        table.insert(1, for: 1, until: 10, at: 0)      // expired by time 20
        table.insert(2, for: 2, until: 4_000, at: 0)
        table.insert(3, for: 3, until: 1_000, at: 20)
        #expect(table.value(for: 1, at: 0) == nil)
        #expect([0, 2, 3].allSatisfy { table.value(for: $0, at: 20) != nil })
    }

    @Test func replacingAKeyMakesNoRoom() {
        var table = ExpiringTable<Int, String>(limit: 3)
        for key in 0..<3 { table.insert("v\(key)", for: key, until: 100, at: 0) }
        let dropped = table.insert("w0", for: 0, until: 150, at: 50)
        #expect(!dropped)
        #expect(table.count == 3)
        #expect([0, 1, 2].map { table.value(for: $0, at: 50) } == ["w0", "v1", "v2"])
    }

    @Test func aTableOfOneKeepsTheNewestEntry() {
        var table = ExpiringTable<Int, String>(limit: 1)
        table.insert("a", for: 1, until: 100, at: 0)
        let dropped = table.insert("b", for: 2, until: 100, at: 0)
        #expect(dropped)
        #expect(table.count == 1 && table.value(for: 2, at: 0) == "b")
    }

    @Test func expiredEntriesAreNotAnswered() {
        var table = ExpiringTable<Int, String>(limit: 10)
        table.insert("v", for: 1, until: 10, at: 0)
        #expect(table.value(for: 1, at: 9) == "v")
        #expect(table.value(for: 1, at: 10) == nil)
    }

    @Test func anEntryAlreadyExpiredOrATableOfNothingKeepsNothing() {
        var table = ExpiringTable<Int, String>(limit: 10)
        table.insert("v", for: 1, until: 5, at: 5)
        #expect(table.count == 0)
        var none = ExpiringTable<Int, String>(limit: 0)
        none.insert("v", for: 1, until: 100, at: 0)
        #expect(none.count == 0)
    }

    @Test func removingEntriesByWhatTheyHold() {
        var table = ExpiringTable<Int, String>(limit: 4)
        for key in 0..<4 { table.insert("v\(key)", for: key, until: 100, at: 0) }
        let removed = table.removeAll { key, value in key % 2 == 0 && value.hasPrefix("v") }
        #expect(removed == 2)
        #expect(table.count == 2 && table.value(for: 1, at: 0) == "v1" && table.value(for: 0, at: 0) == nil)
        table.removeAll()
        #expect(table.count == 0)
    }
}
