import Dispatch
import Logging
import NIOCore
import NIOPosix
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
/// While lines come faster than one a millisecond, a line recorded on an event loop waits up
/// to `coalescing` for others (a timer of that loop, no thread woken), so the queue's thread
/// wakes once per batch instead of once per line; an isolated line is written at once.
public final class JSONLinesAuditLog: AuditLog {
    private struct Pending {
        var bytes: [UInt8] = []
        var events = 0
        var scheduled = false
        /// `DispatchTime.now()` of the last write, in nanoseconds.
        var lastWrite: UInt64 = 0
    }

    private enum Schedule {
        case none, now, coalesced
    }

    /// How long a line under load waits for others to join its write.
    static let coalescing = TimeAmount.microseconds(250)
    /// Lines closer together than this count as load.
    static let busyGap: UInt64 = 1_000_000

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
        // No `queue.sync`: the last reference may be the one a block on `queue` releases, and
        // then this runs on `queue` itself. Nothing else can reach `pending` any more (every
        // block and timer that writes holds a reference), so it is written here directly.
        writePending()
        if ownsDescriptor { close(descriptor) }
    }

    public func record(_ event: AuditEvent) {
        let line = event.jsonLine
        let now = DispatchTime.now().uptimeNanoseconds
        let schedule = pending.withLock { pending -> Schedule in
            pending.bytes += line
            pending.events += 1
            guard !pending.scheduled else { return .none }
            pending.scheduled = true
            return now &- pending.lastWrite < Self.busyGap ? .coalesced : .now
        }
        guard schedule != .none else { return }
        if schedule == .coalesced, let loop = MultiThreadedEventLoopGroup.currentEventLoop {
            loop.scheduleTask(in: Self.coalescing) { [self] in queue.async { self.writePending() } }
        } else {
            queue.async { [self] in writePending() }
        }
    }

    /// On the queue: writes every line recorded so far in one `write(2)`.
    private func writePending() {
        let now = DispatchTime.now().uptimeNanoseconds
        let (bytes, events) = pending.withLock { pending -> ([UInt8], Int) in
            defer { pending = Pending(lastWrite: pending.bytes.isEmpty ? pending.lastWrite : now) }
            return (pending.bytes, pending.events)
        }
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written != bytes.count {
            logger.error("audit log write failed", metadata: ["events": "\(events)", "errno": "\(errno)"])
        }
    }

    /// Waits until every recorded event is written (for tests and shutdown), also those a
    /// loop's timer would write later.
    public func flush() {
        queue.sync { writePending() }
    }

    /// Writes what is queued and syncs the file to disk, without blocking the caller's thread.
    func drain() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { [self, descriptor, ownsDescriptor] in
                writePending()
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
