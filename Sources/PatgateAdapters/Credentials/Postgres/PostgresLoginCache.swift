import Synchronization

/// The logins handed out recently, so that a user's next exchange may get the same one
/// (`reuse_margin_seconds`) instead of a new role, and so that withdrawing one exchange's
/// login never drops a role another exchange already handed out.
///
/// Keyed by the subject (`sub`), never by a secret; the password stays in memory only.
final class PostgresLoginCache: Sendable {
    struct Login: Sendable, Equatable {
        var name: String
        var password: String
        var expiresAt: Int64
    }

    private struct Entry {
        var login: Login
        /// How many exchanges received this login; it is dropped on withdrawal only at zero.
        var handedOut: Int
    }

    private struct State {
        var byName: [String: Entry] = [:]
        /// The newest login of each subject.
        var latest: [String: String] = [:]
    }

    private let state = Mutex(State())

    /// The subject's newest login when more than `margin` seconds of it remain at `now` and it
    /// ends no later than `notAfter`; counts it as handed out once more.
    func reuse(subject: String, now: Int64, margin: Int64, notAfter: Int64?) -> Login? {
        state.withLock { state in
            guard let name = state.latest[subject], var entry = state.byName[name],
                  entry.login.expiresAt - now > margin, entry.login.expiresAt <= (notAfter ?? .max)
            else { return nil }
            entry.handedOut += 1
            state.byName[name] = entry
            return entry.login
        }
    }

    /// Remembers a login just created for `subject` (handed out once) and forgets expired ones.
    func store(_ login: Login, subject: String, now: Int64) {
        state.withLock { state in
            for (name, entry) in state.byName where entry.login.expiresAt <= now {
                state.byName[name] = nil
            }
            let live = state.byName
            state.latest = state.latest.filter { live[$0.value] != nil }
            state.byName[login.name] = Entry(login: login, handedOut: 1)
            state.latest[subject] = login.name
        }
    }

    /// Forgets `name` (its role was dropped), so it is never handed out again.
    func forget(_ name: String) {
        state.withLock { state in
            state.byName[name] = nil
            state.latest = state.latest.filter { $0.value != name }
        }
    }

    /// Takes back one hand-out of `name`; `true` when no other exchange holds it, so the
    /// caller may drop the role (also when it was never cached: reuse is off).
    func release(_ name: String) -> Bool {
        state.withLock { state in
            guard var entry = state.byName[name] else { return true }
            entry.handedOut -= 1
            guard entry.handedOut <= 0 else {
                state.byName[name] = entry
                return false
            }
            state.byName[name] = nil
            state.latest = state.latest.filter { $0.value != name }
            return true
        }
    }
}
