import PatgateCore
import PatgateTelemetry

/// Counts exchanges in `patgate_token_exchanges_total{client_id,result}` and times signatures.
/// The client id is a label only once the client authenticated, so it is one the configuration
/// names; before that it is `unknown`.
struct ExchangeMetrics: ExchangeObserver {
    func exchanged(clientID: String?, error: OAuthError?) {
        Meters.exchange(clientID: clientID ?? "unknown", result: error?.code.rawValue ?? "success")
    }

    var timesSigning: Bool { Meters.isEnabled }

    func signed(nanoseconds: Int64) {
        Meters.signed(nanoseconds: nanoseconds)
    }
}
