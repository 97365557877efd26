import Curl
import Foundation
import PatgateAdapters

extension ConfigParser {
    /// `credentials.s3.*`: the S3 provider, on when `credentials.s3.sts_endpoint` is set.
    /// `session_name` and `policy` are templates in which `{user}` stands for the user.
    mutating func parseS3() -> S3CredentialSettings? {
        let key = "credentials.s3"
        // Every key is read even when the provider is off, so every one is a known key.
        let endpoint = reader.string("\(key).sts_endpoint")
        let others = ["role_arn", "policy", "policy_file", "endpoint_url", "region", "bucket"]
        let othersSet = !others.filter { reader.string("\(key).\($0)") != nil }.isEmpty   // reads every one
        var settings = S3CredentialSettings(stsEndpoint: endpoint ?? "", roleARN: reader.string("\(key).role_arn"))
        if let template = reader.string("\(key).session_name") {
            if let parsed = SessionNameTemplate(template) {
                settings.sessionName = parsed
            } else {
                reader.problem("\(key).session_name", "must use only letters, digits and +=,.@_- around one {user}, "
                    + "at most \(SessionNameTemplate.maxFixedLength) of them (a name without {user}: 2 to 64)")
            }
        }
        settings.policy = parsePolicyTemplate(key)
        settings.maxDuration = Int64(reader.int("\(key).max_duration_seconds", default: 3_600,
                                                in: Int(STSDuration.minimum)...Int(STSDuration.maximum)))
        settings.reuseMargin = Int64(reader.int("\(key).reuse_margin_seconds", default: 300, in: 0...Int(STSDuration.maximum)))
        settings.cacheMaxEntries = reader.int("\(key).cache_max_entries", default: 10_000, in: 0...10_000_000)
        settings.http.totalTimeout = .seconds(reader.int("\(key).timeout_seconds", default: 5, in: 1...60))
        settings.http.connectTimeout = min(.seconds(2), settings.http.totalTimeout)
        settings.http.verifyTLS = reader.bool("\(key).verify_tls", default: true)
        settings.http.caFile = reader.string("\(key).ca_file").map(path)
        settings.http.connections = reader.int("\(key).connections", default: 4, in: 1...64)
        settings.http.proxy = reader.string("\(key).proxy")
        settings.endpointURL = reader.string("\(key).endpoint_url")
        if let url = settings.endpointURL, !isHTTPURL(url) {
            reader.problem("\(key).endpoint_url", "must be an http or https URL")
        }
        settings.region = reader.string("\(key).region")
        settings.bucket = reader.string("\(key).bucket")
        guard let endpoint else {
            if othersSet {
                reader.problem("\(key).sts_endpoint", "is required to turn the S3 provider on (other credentials.s3 keys are set)")
            }
            return nil
        }
        if !isHTTPURL(endpoint) {
            reader.problem("\(key).sts_endpoint", "must be an http or https URL")
        }
        return settings
    }

    /// `policy` inline, or `policy_file` (a JSON file, relative to the data directory).
    private mutating func parsePolicyTemplate(_ key: String) -> PolicyTemplate? {
        var text = reader.string("\(key).policy")
        if text == nil, let file = reader.string("\(key).policy_file") {   // both keys are read either way (othersSet)
            text = try? String(contentsOfFile: path(file), encoding: .utf8)
            if text == nil { reader.problem("\(key).policy_file", "cannot read \(path(file))") }
        }
        guard let text else { return nil }
        do {
            return try PolicyTemplate(text)
        } catch {
            reader.problem(reader.string("\(key).policy") == nil ? "\(key).policy_file" : "\(key).policy", error.description)
            return nil
        }
    }

    private func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host?.isEmpty == false else { return false }
        return (scheme == "http" || scheme == "https") && url.user == nil && url.password == nil
    }
}
