import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import PatgateCore

/// `POST /leaks/github` and `POST /leaks/gitlab`: signed reports of leaked PATs from secret
/// scanners (README, "Leaked tokens"). Registered only for partners with configured keys, and
/// only with the built-in issuer. The body is verified byte for byte before it is parsed; a
/// refused report revokes nothing.
struct LeakRoutes {
    let leaks: LeakedTokens
    let partners: [PartnerKeys]

    /// A thousand reports with long URLs fit; more is refused before any work.
    static let maxBodyBytes = 1_048_576

    func register(on router: Router<PatgateRequestContext>) {
        for keys in partners {
            router.post("leaks/\(keys.partner.rawValue)") { request, context in await report(request, context, keys) }
        }
    }

    func report(_ request: Request, _ context: PatgateRequestContext, _ keys: PartnerKeys) async -> Response {
        let partner = keys.partner
        let verdicts: [LeakedTokens.Verdict]
        do throws(LeakError) {
            let body = try await Self.body(request)
            try keys.verify(keyID: header(request, partner.keyIdentifierHeader),
                            signature: header(request, partner.signatureHeader), body: body)
            let reports = try LeakReport.parse(body)
            verdicts = try await handle(reports, partner, context)
        } catch {
            if error.code != .temporarilyUnavailable {
                context.logger.warning("leak report refused", metadata: ["partner": "\(partner.rawValue)", "reason": "\(error.description)"])
            }
            return Self.refusal(error, partner)
        }
        context.logger.notice("leak report handled", metadata: [
            "partner": "\(partner.rawValue)", "reports": "\(verdicts.count)",
            "revoked": "\(verdicts.filter(\.revoked).count)",
            "true_positives": "\(verdicts.filter { $0.label == .truePositive }.count)"])
        switch partner {
        case .github:
            return JSONResponse.noStore(LeakedTokens.githubAnswer(verdicts))
        case .gitlab:
            // GitLab reads only the status: any 2xx acknowledges, anything else is retried.
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            return Response(status: .noContent, headers: headers)
        }
    }

    private func handle(_ reports: [LeakReport], _ partner: SecretScanningPartner,
                        _ context: PatgateRequestContext) async throws(LeakError) -> [LeakedTokens.Verdict] {
        do {
            return try await leaks.handle(reports, from: partner, address: context.clientAddress)
        } catch {
            context.logger.error("PAT store failed during a leak report", metadata: ["error": "\(type(of: error))"])
            throw LeakError(.temporarilyUnavailable, "the token store is unavailable; send the report again later")
        }
    }

    private func header(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }

    private static func body(_ request: Request) async throws(LeakError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch {
            throw LeakError(.requestTooLarge, "the body is larger than \(maxBodyBytes) bytes")
        }
    }

    /// 401 carries `WWW-Authenticate` naming the signature header the request must carry (RFC 9110 §15.5.2).
    static func refusal(_ error: LeakError, _ partner: SecretScanningPartner) -> Response {
        var headers = HTTPFields()
        if error.code == .invalidSignature {
            headers[.wwwAuthenticate] = "\(partner.signatureHeader) realm=\"patgate\""
        }
        return JSONResponse.noStore(status: error.status, error.jsonBody, headers: headers)
    }
}
