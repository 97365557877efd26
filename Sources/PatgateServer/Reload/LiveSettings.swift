import Synchronization

/// The `ReloadableSettings` in force: read once per request, replaced whole by
/// `ConfigReloader` on SIGHUP. Reading costs one uncontended lock and one retain.
public final class LiveSettings: Sendable {
    private let state: Mutex<ReloadableSettings>

    init(_ settings: ReloadableSettings) {
        state = Mutex(settings)
    }

    public var current: ReloadableSettings { state.withLock { $0 } }

    func replace(with settings: ReloadableSettings) {
        state.withLock { $0 = settings }
    }
}
