/// How long the STS credentials of one exchange live (`DurationSeconds`).
public enum STSDuration {
    /// The shortest session every STS grants (AWS, MinIO and Ceph RGW refuse less).
    public static let minimum: Int64 = 900
    /// The longest role session AWS allows.
    public static let maximum: Int64 = 43_200

    /// The token lifetime, raised to the STS minimum and capped by `maximum` (the role's).
    public static func seconds(lifetime: Int64, maximum: Int64) -> Int64 {
        min(max(lifetime, minimum), max(maximum, minimum))
    }

    /// The duration for a request, or `nil` when the credentials would outlive the PAT.
    ///
    /// The STS counts from when it answers, not from `issuedAt`: the duration is shortened
    /// by `slack` (the STS call's timeout) so that its expiry cannot pass `notAfter`; if that
    /// leaves less than the minimum, the request is refused.
    public static func fitted(lifetime: Int64, maximum: Int64, issuedAt: Int64, notAfter: Int64?, slack: Int64) -> Int64? {
        let wanted = seconds(lifetime: lifetime, maximum: maximum)
        guard let notAfter else { return wanted }
        let budget = notAfter - issuedAt - max(slack, 0)
        guard budget >= minimum else { return nil }
        return min(wanted, budget)
    }
}
