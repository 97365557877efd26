import GRDB
@testable import PatgateAdapters
import Testing

/// The PAT reads decode rows by position from the statement (`StatementColumns`): every row in
/// order, NULL as `nil`, a NULL where the schema forbids one as an error rather than a crash,
/// and the statement left ready for its next run.
@Suite struct StatementColumnsTests {
    private struct Item: Equatable {
        let id: String
        let count: Int64?
        let label: String?
    }

    private func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE item (id TEXT NOT NULL PRIMARY KEY, count INTEGER, label TEXT);
                INSERT INTO item VALUES ('a', 1, NULL), ('b', NULL, 'x'), ('c', 3, 'y');
                """)
        }
        return queue
    }

    private static func item(_ columns: StatementColumns) throws -> Item {
        Item(id: try columns.required(0), count: columns[1], label: columns[2])
    }

    @Test func everyRowIsDecodedInOrderWithNullsAsNil() throws {
        let rows = try database().read { db in
            try StatementColumns.rows(db.makeStatement(sql: "SELECT id, count, label FROM item ORDER BY id"), [], Self.item)
        }
        #expect(rows == [Item(id: "a", count: 1, label: nil), Item(id: "b", count: nil, label: "x"),
                         Item(id: "c", count: 3, label: "y")])
    }

    @Test func aLimitStopsEarlyAndTheStatementRunsAgain() throws {
        try database().read { db in
            let statement = try db.cachedStatement(sql: "SELECT id, count, label FROM item WHERE id >= ? ORDER BY id")
            #expect(try StatementColumns.rows(statement, ["b"], limit: 1, Self.item) == [Item(id: "b", count: nil, label: "x")])
            // The same prepared statement, stopped before its last row, answers a new run in full.
            #expect(try StatementColumns.rows(statement, ["a"], Self.item).map(\.id) == ["a", "b", "c"])
            #expect(try StatementColumns.rows(statement, ["z"], Self.item).isEmpty)
        }
    }

    @Test func aNullInARequiredColumnIsAnErrorNotACrash() throws {
        try database().read { db in
            let statement = try db.makeStatement(sql: "SELECT id, count FROM item WHERE id = 'b'")
            #expect(throws: DatabaseError.self) {
                try StatementColumns.rows(statement, []) { columns in try columns.required(1) as Int64 }
            }
            // A value of another type does not convert either.
            let text = try db.makeStatement(sql: "SELECT id, label FROM item WHERE id = 'b'")
            #expect(try StatementColumns.rows(text, []) { columns in columns[1] as Int64? } == [nil])
        }
    }
}
