/// Every series patgate exports (README, "Metrics"). Labels hold bounded values only: route
/// templates, configured client ids, OAuth error codes, provider names, outcomes. Never a user,
/// a token, a secret or a raw path.
enum MetricName {
    static let httpRequests = "patgate_http_requests_total"                        // route, method, status
    static let httpDuration = "patgate_http_request_duration_seconds"               // route, method
    static let exchanges = "patgate_token_exchanges_total"                          // client_id, result
    static let introspections = "patgate_introspection_requests_total"              // outcome
    static let introspectionDuration = "patgate_introspection_duration_seconds"
    static let cacheLookups = "patgate_cache_lookups_total"                         // result: hit, miss
    static let cacheJoins = "patgate_cache_singleflight_joins_total"
    static let cacheEvictions = "patgate_cache_evictions_total"
    static let cacheEntries = "patgate_cache_entries"
    static let revocationEvents = "patgate_revocation_events_total"                 // kind: token, user
    static let revocationLag = "patgate_revocation_lag_seconds"
    static let signingDuration = "patgate_signing_duration_seconds"
    static let credentials = "patgate_credentials_issued_total"                     // provider, outcome
    static let credentialDuration = "patgate_credential_duration_seconds"           // provider
    static let databaseDuration = "patgate_db_operation_duration_seconds"           // db, operation
    static let databaseInUse = "patgate_db_connections_in_use"                      // db
    static let logins = "patgate_console_logins_total"                              // result
    static let forwardAuth = "patgate_forward_auth_decisions_total"                 // result
    static let pats = "patgate_pats"                                                // state
    static let keyCreated = "patgate_signing_key_created_timestamp_seconds"         // kid, role
    static let caNotBefore = "patgate_ca_not_before_timestamp_seconds"
    static let caNotAfter = "patgate_ca_not_after_timestamp_seconds"
    static let buildInfo = "patgate_build_info"                                     // version
    static let residentMemory = "process_resident_memory_bytes"
    static let cpuSeconds = "process_cpu_seconds_total"
    static let openFDs = "process_open_fds"
    static let maxFDs = "process_max_fds"
    static let startTime = "process_start_time_seconds"
}
