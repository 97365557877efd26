/// Told how each exchange ended and how long its signature took (a port: the server counts
/// both in its metrics, docs/ARCHITECTURE.md "Metrics"). Called on the request's task; must
/// not block.
public protocol ExchangeObserver: Sendable {
    /// One exchange ended: `clientID` is the client's id once it authenticated (`nil` before);
    /// `error` is `nil` on success.
    func exchanged(clientID: String?, error: OAuthError?)
    /// Whether `signed(nanoseconds:)` is wanted now; when not, the exchange reads no clock.
    var timesSigning: Bool { get }
    /// Signing one access token took `nanoseconds`.
    func signed(nanoseconds: Int64)
}
