import OpenSSL
import Synchronization

/// The `ReloadableSettings` in force: read once per request, replaced whole by
/// `ConfigReloader` on SIGHUP. Reading costs one uncontended lock and one retain.
public final class LiveSettings: Sendable {
    private let state: Mutex<ReloadableSettings>

    init(_ settings: ReloadableSettings) {
        state = Mutex(settings)
        Self.applyToProcess(settings)
    }

    public var current: ReloadableSettings { state.withLock { $0 } }

    func replace(with settings: ReloadableSettings) {
        state.withLock { $0 = settings }
        Self.applyToProcess(settings)
    }

    /// What the settings decide for the whole process rather than per request: whether ECDSA
    /// keys sign with nonce set-ups made ahead (`keys.ecdsa_setups_ahead`).
    private static func applyToProcess(_ settings: ReloadableSettings) {
        PrivateKey.signsWithSetupsMadeAhead = settings.ecdsaSetupsAhead
    }
}
