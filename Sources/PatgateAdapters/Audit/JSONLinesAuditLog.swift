import Dispatch
import Logging
import PatgateCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit log as JSON Lines: one object per event, appended (`O_APPEND`, so several
/// processes may share the file) by one serial queue, never on the caller's thread.
public final class JSONLinesAuditLog: AuditLog {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let queue = DispatchQueue(label: "patgate.audit")
    private let logger: Logger

    /// `path == "-"` writes to standard error; otherwise the file is created with mode 0600.
    public init(path: String, logger: Logger) throws(AuditLogError) {
        self.logger = logger
        if path == "-" {
            descriptor = 2
            ownsDescriptor = false
            return
        }
        let opened = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard opened >= 0 else { throw AuditLogError(path: path, errno: errno) }
        descriptor = opened
        ownsDescriptor = true
    }

    deinit {
        queue.sync {}
        if ownsDescriptor { close(descriptor) }
    }

    public func record(_ event: AuditEvent) {
        let line = event.jsonLine
        queue.async { [descriptor, logger] in
            let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written != line.count {
                logger.error("audit log write failed", metadata: ["event": "\(event.kind.rawValue)", "errno": "\(errno)"])
            }
        }
    }

    /// Waits until every recorded event is written (for tests and shutdown).
    public func flush() {
        queue.sync {}
    }

    /// Writes what is queued and syncs the file to disk, without blocking the caller's thread.
    func drain() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { [descriptor, ownsDescriptor] in
                if ownsDescriptor { fsync(descriptor) }
                done.resume()
            }
        }
    }
}

/// The audit log file could not be opened.
public struct AuditLogError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "cannot open the audit log \(path) for appending (errno \(errno))" }
}
