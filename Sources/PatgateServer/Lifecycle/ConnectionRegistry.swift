import NIOCore
import Synchronization

/// The open connections of one server, held below `server.max_connections` (README,
/// "Hostile clients").
///
/// Every connection registers when it opens. When one more would pass the cap, the
/// connection that has waited longest for a request head (idle keep-alive, or a slow client
/// still sending its head) is closed to make room; if none waits, the new one is closed at
/// once. A connection whose request is being read or answered is never chosen. So the count
/// stays below the file-descriptor limit (accept never fails with EMFILE) and clients that
/// send whole requests keep being served while slow ones fill the slots.
final class ConnectionRegistry: Sendable {
    let capacity: Int
    private let slots = Mutex<[ObjectIdentifier: ConnectionSlot]>([:])

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    /// Open connections now.
    var count: Int { slots.withLock { $0.count } }

    /// Registers `slot`; returns the connection to close to stay within the cap (which may
    /// be `slot` itself), or nil.
    func open(_ slot: ConnectionSlot) -> ConnectionSlot? {
        slots.withLock { slots in
            slots[ObjectIdentifier(slot)] = slot
            guard slots.count > capacity else { return nil }
            // At the cap only: a scan of at most `capacity` atomics for the longest wait.
            var victim: ConnectionSlot?
            var oldest = ConnectionSlot.busy
            for candidate in slots.values where candidate !== slot {
                let since = candidate.waitingSince
                if since < oldest {
                    oldest = since
                    victim = candidate
                }
            }
            let chosen = victim ?? slot
            slots[ObjectIdentifier(chosen)] = nil
            return chosen
        }
    }

    /// Forgets `slot` (its connection closed).
    func close(_ slot: ConnectionSlot) {
        _ = slots.withLock { $0.removeValue(forKey: ObjectIdentifier(slot)) }
    }
}

/// One connection as the registry sees it: its channel, and since when it waits for a
/// request head (`busy` while a request is read or answered).
final class ConnectionSlot: Sendable {
    static let busy = Int64.max

    let channel: any Channel
    private let since: Atomic<Int64>

    init(channel: any Channel, waitingSince: NIODeadline) {
        self.channel = channel
        self.since = Atomic(Self.nanoseconds(waitingSince))
    }

    var waitingSince: Int64 { since.load(ordering: .relaxed) }

    /// A request head arrived: not to be closed for room.
    func markBusy() { since.store(Self.busy, ordering: .relaxed) }

    /// The last answer went out: the connection waits for a request again.
    func markWaiting(at now: NIODeadline) {
        since.store(Self.nanoseconds(now), ordering: .relaxed)
    }

    private static func nanoseconds(_ deadline: NIODeadline) -> Int64 {
        Int64(min(deadline.uptimeNanoseconds, UInt64(busy - 1)))
    }
}
