import Curl
import Logging
import PatgateCore
import PatgateTelemetry

/// Calls `AssumeRoleWithWebIdentity` over libcurl and turns every answer into credentials or
/// a `CredentialError` whose message is safe for the client. The STS's own words (its error
/// message) go only to the log, without the web identity token.
final class STSClient: Sendable {
    private let endpoint: String
    private let roleARN: String?
    let http: HTTPClient
    private let logger: Logger

    init(settings: S3CredentialSettings, logger: Logger) throws(CurlError) {
        endpoint = settings.stsEndpoint
        roleARN = settings.roleARN
        http = try HTTPClient(options: settings.http)
        self.logger = logger
    }

    /// The form body of the call (parameters as in the STS API reference).
    func body(token: String, sessionName: String, policy: String?, duration: Int64) -> String {
        var fields = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15")]
        if let roleARN { fields.append(("RoleArn", roleARN)) }
        fields += [("RoleSessionName", sessionName), ("WebIdentityToken", token), ("DurationSeconds", String(duration))]
        if let policy { fields.append(("Policy", policy)) }
        return fields.map { FormEncoding.encode($0.0) + "=" + FormEncoding.encode($0.1) }.joined(separator: "&")
    }

    func assumeRole(token: String, sessionName: String, policy: String?, duration: Int64) async throws(CredentialError) -> STSCredentials {
        var headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Accept", "text/xml, application/xml")]
        // The incoming request's trace continues at the STS (W3C Trace Context).
        let span = Tracing.start("sts AssumeRoleWithWebIdentity", kind: .client)
        if let trace = span?.context ?? TraceContext.current?.child() { headers.append(("traceparent", trace.traceparent)) }
        defer { span?.end() }
        let request = HTTPRequest(
            method: "POST", url: endpoint,
            headers: headers,
            body: Array(body(token: token, sessionName: sessionName, policy: policy, duration: duration).utf8))
        let response: HTTPResponse
        do {
            response = try await http.perform(request)
        } catch {
            // Cancelled: the exchange's client left while it waited. Not the STS's failure.
            if Task.isCancelled { throw CredentialError.abandoned }
            logger.error("STS unreachable", metadata: ["error": "\(error)"])
            let what = error.kind == .timedOut ? "did not answer in time" : "is unreachable"
            throw CredentialError(.unavailable, "the S3 credentials service (STS) \(what); try again later")
        }
        switch response.status {
        case 200:
            do {
                return try STSResponse.credentials(response.body)
            } catch {
                logger.error("STS sent a malformed answer", metadata: ["reason": "\(error)"])
                throw CredentialError(.unavailable, "the S3 credentials service (STS) sent a malformed answer; try again later")
            }
        case 400..<500:
            guard let document = STSResponse.error(response.body) else {
                logger.error("STS answered with an error status and no error document", metadata: ["status": "\(response.status)"])
                throw CredentialError(.unavailable, "the S3 credentials service (STS) answered HTTP \(response.status); try again later")
            }
            log(document, status: response.status, token: token)
            if document.isTransient {
                throw CredentialError(.unavailable, "the S3 credentials service (STS) is busy (\(document.safeCode ?? "error")); try again later")
            }
            throw CredentialError(.notPermitted, "the S3 credentials service (STS) refused to issue credentials (\(document.safeCode ?? "error"))")
        default:
            if let document = STSResponse.error(response.body) { log(document, status: response.status, token: token) }
            else { logger.error("STS answered with an error status", metadata: ["status": "\(response.status)"]) }
            throw CredentialError(.unavailable, "the S3 credentials service (STS) answered HTTP \(response.status); try again later")
        }
    }

    private func log(_ document: STSErrorDocument, status: Int, token: String) {
        logger.warning("STS refused AssumeRoleWithWebIdentity", metadata: [
            "status": "\(status)", "code": "\(Self.loggable(document.code, token: token))",
            "type": "\(Self.loggable(document.type ?? "", token: token))",
            "message": "\(Self.loggable(document.message ?? "", token: token))",
        ])
    }

    /// `text` on one line, at most 300 characters, without the web identity token (an STS
    /// may quote the token it refused).
    static func loggable(_ text: String, token: String) -> String {
        var clean = token.isEmpty ? text : text.replacing(token, with: "[token]")
        clean = String(String.UnicodeScalarView(clean.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
        return clean.count > 300 ? String(clean.prefix(300)) + "…" : clean
    }
}
