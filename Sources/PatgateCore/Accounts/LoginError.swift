/// Why a login was refused. Deliberately coarse: the answer never tells whether the
/// account exists, is disabled, or the password was wrong.
public enum LoginError: Error, Sendable, Equatable {
    case invalidCredentials
    /// Too many failures for the account or the client address; try again after this many seconds.
    case throttled(retryAfter: Int64)
}
