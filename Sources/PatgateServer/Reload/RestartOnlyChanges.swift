import PatgateCore

/// The sections of the configuration a reload does not apply: they shape the listener, the
/// stores, the upstream and the credential providers, which live as long as the process.
/// `ConfigReloader` logs the ones that changed, so an operator knows a restart is due.
enum RestartOnlyChanges {
    static func sections(from running: PatgateConfig, to loaded: PatgateConfig) -> [String] {
        var runningIssuer = running.issuer, loadedIssuer = loaded.issuer
        runningIssuer.policy = .none
        loadedIssuer.policy = .none
        // Compared by their full descriptions: never logged, so secrets in them stay inside.
        let pairs: [(String, Any, Any)] = [
            ("data_dir", running.dataDirectory, loaded.dataDirectory),
            ("server", running.server, loaded.server),
            ("issuer/store", runningIssuer, loadedIssuer),
            ("upstream", running.upstream, loaded.upstream),
            ("cache", running.cache, loaded.cache),
            ("login/sessions/users", running.accounts, loaded.accounts),
            ("audit", running.auditPath, loaded.auditPath),
            ("credentials", running.credentials, loaded.credentials),
            ("leaks", running.leaks, loaded.leaks),
            ("authz", running.authz as Any, loaded.authz as Any),
            ("metrics/logging", running.observability, loaded.observability),
            ("log_level", running.logLevel, loaded.logLevel),
        ]
        return pairs.filter { String(reflecting: $0.1) != String(reflecting: $0.2) }.map(\.0)
    }
}
