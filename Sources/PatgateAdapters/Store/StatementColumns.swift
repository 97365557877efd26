import GRDB

/// The row a stepped statement stands on, read by position. The PAT reads decode their rows
/// from it instead of from a `Row`: GRDB makes a `Row` for every cursor, and that `Row`
/// lowercases every column's name into a dictionary first, on every read, for lookups by
/// name that these reads never make (BENCHMARKS.md, "Issue 14", session 34).
struct StatementColumns {
    private let statement: SQLiteStatement

    /// The rows `statement` finds for `arguments`, at most `limit`, each decoded by `decode`
    /// while the statement stands on it. The statement's first column must be NOT NULL text
    /// (an id): GRDB steps it with a cursor of that column alone, which makes no `Row`.
    static func rows<T>(_ statement: Statement, _ arguments: StatementArguments, limit: Int = .max,
                        _ decode: (StatementColumns) throws -> T) throws -> [T] {
        let cursor = try String.fetchCursor(statement, arguments: arguments)
        let columns = StatementColumns(statement: statement.sqliteStatement)
        // The cursor resets the statement when it goes, so it must outlive the last decode.
        return try withExtendedLifetime(cursor) {
            var decoded: [T] = []
            while decoded.count < limit, try cursor.next() != nil {
                decoded.append(try decode(columns))
            }
            return decoded
        }
    }

    /// Column `index`, `nil` when it is NULL or does not convert to `Value`.
    subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value? {
        Value.fromDatabaseValue(DatabaseValue(sqliteStatement: statement, index: CInt(index)))
    }

    /// Column `index`, which the schema declares NOT NULL.
    func required<Value: DatabaseValueConvertible>(_ index: Int) throws -> Value {
        guard let value: Value = self[index] else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "column \(index) is NULL or not a \(Value.self)")
        }
        return value
    }
}
