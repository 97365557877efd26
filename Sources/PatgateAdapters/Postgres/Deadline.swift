/// Bounds how long a database operation may take: postgres-nio's pool keeps a request waiting
/// while it retries connecting, so an unreachable server would otherwise hold a start-up or a
/// readiness probe for a minute.
enum Deadline {
    /// Runs `operation`; cancels it and throws `.unavailable` if it has not finished after `limit`.
    static func run<Result: Sendable>(after limit: Duration,
                                      _ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw PostgresStoreError(.unavailable, "no answer within \(limit)")
            }
            return result
        }
    }
}
