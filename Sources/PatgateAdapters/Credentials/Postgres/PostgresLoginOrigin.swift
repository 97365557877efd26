import PatgateCore

/// Where a temporary login came from, kept in its role's comment after the marker:
/// `patgate temporary login {"pat":"<PAT id>","sub":"<subject>"}`. Revoking a PAT (or
/// disabling its owner) drops the logins issued from it (`PostgresLoginProvider.revoked`).
/// Neither value is a secret; the comment is readable by every role of the cluster.
struct PostgresLoginOrigin: Sendable, Equatable {
    /// The PAT's id (the `jti` of the upstream's RFC 7662 answer); `nil` when the upstream sent none.
    var patID: String?
    /// The `sub` of that answer: the owner's username with patgate's issuer.
    var subject: String

    /// The role comment: the marker, a space, one JSON object.
    var comment: String {
        var members: [String: JSONValue] = ["sub": .string(subject)]
        if let patID { members["pat"] = .string(patID) }
        return PostgresLoginSQL.marker + " " + JSONValue.object(members).jsonText
    }

    /// The origin written in `comment`; `nil` for a comment without one (a login made before
    /// origins were recorded, or a role patgate did not make).
    init?(comment: String) {
        let lead = PostgresLoginSQL.marker + " "
        guard comment.hasPrefix(lead),
              case .object(let members)? = JSONValueParser.parse(Array(comment.utf8.dropFirst(lead.utf8.count))),
              let subject = members["sub"]?.stringValue
        else { return nil }
        self.init(patID: members["pat"]?.stringValue, subject: subject)
    }

    init(patID: String?, subject: String) {
        self.patID = patID
        self.subject = subject
    }

    /// Whether a revocation of these PATs or of every PAT of these users ends this login.
    func isRevoked(tokenIDs: Set<String>, users: Set<String>) -> Bool {
        patID.map(tokenIDs.contains) == true || users.contains(subject)
    }
}
