internal import CCurl
import Glibc

/// The sockets libcurl asks the ``CurlDriver`` to watch (`CURLMOPT_SOCKETFUNCTION`), plus a
/// pipe that any thread may write to wake the driver, all waited on in one `poll`.
///
/// Why the driver waits on the sockets itself rather than in `curl_multi_poll`: it then knows
/// which sockets are ready and hands only those to `curl_multi_socket_action`, with their
/// readiness. `curl_multi_perform` instead visits every running transfer after each wait and
/// polls each one's socket again to learn whether it is ready: about six `poll` calls per
/// request with 16 transfers in flight (BENCHMARKS.md, "Issue 14", session 26).
///
/// Only the driver thread calls ``update(_:what:)`` (from libcurl's callback) and
/// ``wait(milliseconds:ready:)``; ``wake()`` is for any thread.
final class SocketWatch: @unchecked Sendable {
    /// Socket → the `poll` events libcurl wants on it.
    private var interest: [curl_socket_t: Int16] = [:]
    /// Reused by every wait: the wake-up descriptor first, then the watched sockets.
    private var descriptors: [pollfd] = []
    /// The wake-up pipe's ends, both non-blocking: the driver polls the first, ``wake()``
    /// writes a byte to the second (a full pipe already wakes the driver).
    private let wakeDescriptor: Int32
    private let wakeWriter: Int32

    /// A watch with its wake-up pipe, or nil if the system has no descriptor left.
    init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    /// Records what libcurl wants watched on `socket` (`CURL_POLL_*`).
    func update(_ socket: curl_socket_t, what: Int32) {
        switch what {
        case CURL_POLL_IN: interest[socket] = Int16(POLLIN)
        case CURL_POLL_OUT: interest[socket] = Int16(POLLOUT)
        case CURL_POLL_INOUT: interest[socket] = Int16(POLLIN | POLLOUT)
        default: interest[socket] = nil  // CURL_POLL_REMOVE
        }
    }

    /// Makes the current or the next ``wait(milliseconds:ready:)`` return at once. Any thread.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    /// Waits until a watched socket is ready, ``wake()`` is called, or `milliseconds` pass,
    /// then calls `ready` for each ready socket with its `CURL_CSELECT_*` bits.
    func wait(milliseconds: Int32, ready: (curl_socket_t, Int32) -> Void) {
        descriptors.removeAll(keepingCapacity: true)
        descriptors.append(pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0))
        for (socket, events) in interest {
            descriptors.append(pollfd(fd: socket, events: events, revents: 0))
        }
        guard poll(&descriptors, nfds_t(descriptors.count), milliseconds) > 0 else { return }
        if descriptors[0].revents != 0 { drainWakeUps() }
        for descriptor in descriptors.dropFirst() where descriptor.revents != 0 {
            if descriptor.revents & Int16(POLLNVAL) != 0 {
                // Closed without a CURL_POLL_REMOVE: nothing to hand libcurl, and left in the
                // set it would end every wait at once.
                interest[descriptor.fd] = nil
                continue
            }
            ready(descriptor.fd, Self.readiness(descriptor.revents))
        }
    }

    /// Takes back every wake-up written so far.
    private func drainWakeUps() {
        var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        while read(wakeDescriptor, &bytes, MemoryLayout.size(ofValue: bytes)) == MemoryLayout.size(ofValue: bytes) {}
    }

    /// `poll`'s result as libcurl's bits; a hang-up counts as readable, so libcurl reads the end.
    private static func readiness(_ events: Int16) -> Int32 {
        var bits: Int32 = 0
        if events & Int16(POLLIN | POLLHUP) != 0 { bits |= CURL_CSELECT_IN }
        if events & Int16(POLLOUT) != 0 { bits |= CURL_CSELECT_OUT }
        if events & Int16(POLLERR) != 0 { bits |= CURL_CSELECT_ERR }
        return bits
    }
}
