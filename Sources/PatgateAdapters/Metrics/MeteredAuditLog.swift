import PatgateCore
import PatgateTelemetry

/// An audit log that also counts console logins by result in `patgate_console_logins_total`:
/// the audit trail is where every login attempt is already told, with its outcome.
public struct MeteredAuditLog: AuditLog {
    let wrapped: any AuditLog

    public init(_ wrapped: any AuditLog) {
        self.wrapped = wrapped
    }

    public func record(_ event: AuditEvent) {
        switch event.kind {
        case .loginSucceeded: Meters.login(result: "success")
        case .loginFailed: Meters.login(result: "failure")
        case .loginThrottled: Meters.login(result: "locked_out")
        default: break
        }
        wrapped.record(event)
    }
}
