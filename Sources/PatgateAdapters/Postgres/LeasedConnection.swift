import PostgresNIO
import Synchronization

/// The pool connection an operation leased, so that a `Deadline` that gave up on the operation
/// can close it (`Deadline.run(after:onTimeout:)`): the server then ends the session, rolls
/// back its open transaction and frees its locks, instead of finishing work nobody waits for.
/// postgres-nio's queries ignore cancellation; closing the connection is what stops them.
final class LeasedConnection: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var abandoned = false
    }

    private let state = Mutex(State())

    /// Records the connection the operation runs on; closes it at once if it was abandoned first.
    func hold(_ connection: PostgresConnection) {
        let abandoned = state.withLock { state in
            if !state.abandoned { state.connection = connection }
            return state.abandoned
        }
        if abandoned { Self.close(connection) }
    }

    /// Closes the connection the operation holds, if any, without waiting; a connection leased
    /// later is closed as soon as it is held.
    func abandon() {
        let connection = state.withLock { state in
            state.abandoned = true
            defer { state.connection = nil }
            return state.connection
        }
        if let connection { Self.close(connection) }
    }

    private static func close(_ connection: PostgresConnection) {
        // The pool notices the close and replaces the connection.
        connection.close().whenComplete { _ in }
    }
}
