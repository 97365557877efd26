/// What patgate does with a verified leak report (README, "Leaked tokens"): each reported value
/// that is a PAT of this issuer (well-formed, matched by its HMAC) and still active is revoked
/// through the store, like any other revocation (so every cache drops it), and audited as
/// `pat.leaked`. The value itself is never logged or audited (invariant 1 in docs/ARCHITECTURE.md).
///
/// Reporting the same values again changes nothing and gets the same verdicts: a PAT of ours is
/// `true_positive` whatever its state (it is a real credential, now revoked), anything else
/// `false_positive`.
public struct LeakedTokens: Sendable {
    let issuer: PATIssuer
    let audit: any AuditLog

    public init(issuer: PATIssuer, audit: any AuditLog) {
        self.issuer = issuer
        self.audit = audit
    }

    /// GitHub's feedback labels.
    public enum Label: String, Sendable {
        case truePositive = "true_positive"
        case falsePositive = "false_positive"
    }

    /// The outcome for one report.
    public struct Verdict: Sendable, Equatable {
        public let report: LeakReport
        public let label: Label
        /// The PAT the value belongs to, when it is one of ours.
        public let patID: String?
        /// Whether this report revoked it (it was active).
        public let revoked: Bool
    }

    /// Handles the reports in order; a store failure throws (the partner retries, and what was
    /// already revoked stays revoked, so the retry is answered the same).
    public func handle(_ reports: [LeakReport], from partner: SecretScanningPartner, address: String?) async throws -> [Verdict] {
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(reports.count)
        for report in reports {
            guard let token = try await issuer.find(value: report.token) else {
                verdicts.append(Verdict(report: report, label: .falsePositive, patID: nil, revoked: false))
                continue
            }
            let now = issuer.currentTime()
            var revoked = false
            if token.state(at: now) == .active {
                revoked = try await issuer.store.revoke(id: token.id, at: now)
                if revoked {
                    audit.record(AuditEvent(time: now, kind: .patLeaked, actor: partner.auditActor, target: token.id,
                                            address: address, detail: Self.detail(report, partner: partner, owner: token.owner)))
                }
            }
            verdicts.append(Verdict(report: report, label: .truePositive, patID: token.id, revoked: revoked))
        }
        return verdicts
    }

    /// `partner=github owner=alice type=… url=… source=…`: each value shortened, and the
    /// reported value cut out wherever the partner's text repeats it (a URL with it in the query).
    static func detail(_ report: LeakReport, partner: SecretScanningPartner, owner: String) -> String {
        func clean(_ text: String, _ limit: Int) -> String {
            let redacted = report.token.isEmpty ? text : text.replacing(report.token, with: "[token]")
            let visible = String(redacted.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(limit)
                .map(Character.init))
            return visible.replacing(" ", with: "%20")
        }
        var parts = ["partner=\(partner.rawValue)", "owner=\(owner)", "type=\(clean(report.type, 100))"]
        if let url = report.url { parts.append("url=\(clean(url, 2_048))") }
        if let source = report.source { parts.append("source=\(clean(source, 64))") }
        return parts.joined(separator: " ")
    }
}
