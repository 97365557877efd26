import PatgateAdapters

extension ConfigParser {
    /// `credentials.postgres.*`: temporary PostgreSQL logins, on when `admin_url` (or
    /// `admin_url_env`, `admin_url_file`) is set. A bad URL is reported without echoing it.
    mutating func parsePostgresCredentials() -> PostgresLoginSettings? {
        let key = "credentials.postgres"
        // Every key is read even when the provider is off, so every one is a known key.
        let source = secretSource(key, "admin_url")
        let optional = ["roles", "host", "port", "database", "name_prefix", "reuse_margin_seconds",
                        "reap_interval_seconds", "timeout_seconds"]
        let setName = optional.filter { reader.list("\(key).\($0)") != nil }.first   // `list` reads a plain value too
        guard source.isSet, let url = resolve(source) else {
            if !source.isSet, let name = setName {
                reader.problem("\(key).admin_url", "is required when \(key).\(name) is set (or admin_url_env, admin_url_file)")
            }
            return nil
        }
        var admin: PostgresSettings?
        do {
            admin = try PostgresSettings(url: url)
        } catch {
            reader.problem("\(key).admin_url", error.description)   // the other keys are still checked
        }
        let roles = reader.list("\(key).roles") ?? []
        for role in roles {
            if let problem = PostgresLoginSettings.roleProblem(role) { reader.problem("\(key).roles", problem) }
        }
        let prefix = reader.string("\(key).name_prefix", default: PostgresLoginSettings.defaultPrefix)
        if let problem = PostgresLoginSettings.prefixProblem(prefix) { reader.problem("\(key).name_prefix", problem) }
        let port = reader.optionalInt("\(key).port", in: 1...65_535)
        let reuseMargin = reader.optionalInt("\(key).reuse_margin_seconds", in: 0...86_400).map(Int64.init)
        let reapInterval = Int64(reader.int("\(key).reap_interval_seconds", default: 60, in: 0...86_400))
        let timeout = Int64(reader.int("\(key).timeout_seconds", default: 5, in: 1...300))
        guard let admin else { return nil }
        return PostgresLoginSettings(
            admin: admin, roles: roles,
            host: reader.string("\(key).host"),
            port: port, database: reader.string("\(key).database"), namePrefix: prefix,
            reuseMargin: reuseMargin, reapInterval: reapInterval, timeout: timeout)
    }
}
