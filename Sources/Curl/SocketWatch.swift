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
    /// The sockets libcurl updated while it handled the current ready socket.
    private var updatedNow: Set<curl_socket_t> = []
    /// Reused by every wait: the wake-up descriptor first, then the watched sockets.
    private var descriptors: [pollfd] = []
    /// The wake-up pipe's ends, both non-blocking: the driver polls the first, ``wake()``
    /// writes a byte to the second (a full pipe already wakes the driver).
    private let wakeDescriptor: Int32
    private let wakeWriter: Int32

    /// A watch with its wake-up pipe, or nil if the system has no descriptor left.
    init?() {
        guard let (reader, writer) = Self.makeWakePipe() else { return nil }
        wakeDescriptor = reader
        wakeWriter = writer
    }

    /// A pipe whose ends are non-blocking (or a full pipe would block `wake()`'s caller) and
    /// closed on exec; `pipe2`, which would do it at once, is not in Swift's Glibc.
    private static func makeWakePipe() -> (reader: Int32, writer: Int32)? {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        let prepared = ends.allSatisfy { end in
            fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) == 0 && fcntl(end, F_SETFD, FD_CLOEXEC) == 0
        }
        guard prepared else {
            ends.forEach { _ = close($0) }
            return nil
        }
        return (ends[0], ends[1])
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    /// Records what libcurl wants watched on `socket` (`CURL_POLL_*`).
    func update(_ socket: curl_socket_t, what: Int32) {
        updatedNow.insert(socket)
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
            updatedNow.removeAll(keepingCapacity: true)
            ready(descriptor.fd, Self.readiness(descriptor.revents, watched: descriptor.events))
            if descriptor.revents & Int16(POLLNVAL) != 0, !updatedNow.contains(descriptor.fd) {
                // Closed without a CURL_POLL_REMOVE, and libcurl said nothing new of it on
                // hearing the error: left in the set, it would end every wait at once.
                interest[descriptor.fd] = nil
            }
        }
    }

    /// Takes back every wake-up written so far.
    private func drainWakeUps() {
        var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        while read(wakeDescriptor, &bytes, MemoryLayout.size(ofValue: bytes)) == MemoryLayout.size(ofValue: bytes) {}
    }

    /// `poll`'s result as libcurl's bits, as libcurl maps it for its own waits (`Curl_socket_check`):
    /// for reading, an error or a hang-up counts as readable, so libcurl reads why; for writing,
    /// it is an error.
    private static func readiness(_ events: Int16, watched: Int16) -> Int32 {
        var bits: Int32 = 0
        if watched & Int16(POLLIN) != 0 {
            if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 { bits |= CURL_CSELECT_IN }
            if events & Int16(POLLPRI | POLLNVAL) != 0 { bits |= CURL_CSELECT_ERR }
        }
        if watched & Int16(POLLOUT) != 0 {
            if events & Int16(POLLOUT) != 0 { bits |= CURL_CSELECT_OUT }
            if events & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { bits |= CURL_CSELECT_ERR }
        }
        return bits
    }
}
