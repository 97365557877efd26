/// One revocation the issuer recorded: a PAT revoked (by anyone: the API, the console, the CLI,
/// a rotation, an administrator) or a user disabled, which ends every PAT of that user.
///
/// The store numbers events in the order they were committed, so a reader that remembers the
/// last number it saw resumes without a gap (docs/ARCHITECTURE.md, "Revocation").
public struct RevocationEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// `subject` is the PAT's id.
        case token
        /// `subject` is the username: all of that user's PATs.
        case user
    }

    public let sequence: Int64
    public let kind: Kind
    public let subject: String
    public let at: Int64

    public init(sequence: Int64, kind: Kind, subject: String, at: Int64) {
        self.sequence = sequence
        self.kind = kind
        self.subject = subject
        self.at = at
    }
}

/// Where revocations can be read in commit order (a port: the SQLite and PostgreSQL stores
/// record them in the same transaction as the revocation itself).
public protocol RevocationSource: Sendable {
    /// The events numbered above `sequence`, oldest first, at most `limit`.
    func revocations(after sequence: Int64, limit: Int) async throws -> [RevocationEvent]
    /// The highest number recorded so far (0 when none).
    func latestRevocation() async throws -> Int64
    /// True when `revocations(after:limit:)` itself waits for new events (a long poll), so a
    /// reader calls it again at once instead of pausing between reads.
    var waitsForEvents: Bool { get }
}

extension RevocationSource {
    public var waitsForEvents: Bool { false }
}

/// Thrown by a `RevocationSource` that cannot continue from the given number (the issuer
/// behind a feed no longer knows it: its store was replaced). The reader forgets everything it
/// cached and continues from `latest`.
public struct RevocationGap: Error, Sendable, Equatable {
    public let latest: Int64

    public init(latest: Int64) {
        self.latest = latest
    }
}
