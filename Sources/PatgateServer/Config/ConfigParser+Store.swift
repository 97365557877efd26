import PatgateAdapters

extension ConfigParser {
    /// `store.kind` (`sqlite`, the default, or `postgres`) and, for PostgreSQL, the secret
    /// `store.postgres_url` (or `_file`, `_env`). A bad URL is reported without echoing it.
    mutating func parseStore() -> (IssuerStores.Kind, PostgresSettings?) {
        let name = reader.string("store.kind", default: "sqlite")
        let source = secretSource("store", "postgres_url")   // read for sqlite too: a known key
        guard let kind = IssuerStores.Kind(rawValue: name) else {
            reader.problem("store.kind", "must be sqlite or postgres, not '\(name)'")
            return (.sqlite, nil)
        }
        guard kind == .postgres else { return (kind, nil) }
        guard let url = resolve(source) else {
            reader.problem("store.postgres_url", "store.kind postgres needs postgres_url, postgres_url_file or postgres_url_env")
            return (kind, nil)
        }
        do {
            return (kind, try PostgresSettings(url: url))
        } catch {
            reader.problem("store.postgres_url", error.description)
            return (kind, nil)
        }
    }
}
