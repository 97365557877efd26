import Dispatch
import Logging
import PatgateCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit log as JSON Lines: one object per event, appended (`O_APPEND`, so several
/// processes may share the file) by one serial queue, never on the caller's thread. Lines
/// recorded while a write is pending join it: under load (forward auth writes a line per
/// answer) one `write(2)` and one wake-up of the queue carry many lines, each line whole.
public final class JSONLinesAuditLog: AuditLog {
    private struct Pending {
        var bytes: [UInt8] = []
        var events = 0
        var scheduled = false
    }

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let queue = DispatchQueue(label: "patgate.audit")
    private let pending = Mutex(Pending())
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
        let schedule = pending.withLock { pending -> Bool in
            pending.bytes += line
            pending.events += 1
            defer { pending.scheduled = true }
            return !pending.scheduled
        }
        if schedule { queue.async { [self] in writePending() } }
    }

    /// On the queue: writes every line recorded so far in one `write(2)`.
    private func writePending() {
        let (bytes, events) = pending.withLock { pending -> ([UInt8], Int) in
            defer { pending = Pending() }
            return (pending.bytes, pending.events)
        }
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written != bytes.count {
            logger.error("audit log write failed", metadata: ["events": "\(events)", "errno": "\(errno)"])
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
