import Foundation
import Glibc
import PatgateTestSupport
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 for the tests: a thread accepts, a thread per
/// connection serves requests with keep-alive, and it counts TCP connections.
/// Dropping it (or ``stop()``) stops it.
final class TestServer: Sendable {
    let port: Int
    private let core: ServerCore

    init(handler: @escaping Handler) throws {
        core = try ServerCore(handler: handler)
        port = core.port
        let core = core
        let thread = Thread { core.acceptLoop() }
        thread.name = "test-server-accept"
        thread.start()
    }

    deinit { core.stop() }

    var url: String { "http://127.0.0.1:\(port)" }
    var acceptedConnections: Int { core.stats.withLock { $0.accepted } }
    var maxInFlight: Int { core.stats.withLock { $0.maxInFlight } }
    var requests: [ReceivedRequest] { core.stats.withLock { $0.requests } }

    func stop() { core.stop() }
}

/// The listening socket, the counters and the threads' shared state; the threads hold
/// this, not the ``TestServer``, so that dropping the server stops them.
final class ServerCore: Sendable {
    struct Stats {
        var accepted = 0
        var inFlight = 0
        var maxInFlight = 0
        var requests: [ReceivedRequest] = []
        var openConnections: Set<Int32> = []
        var stopped = false
    }

    let port: Int
    let handler: Handler
    let stats = Mutex(Stats())
    private let listener: Int32

    init(handler: @escaping Handler) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard let bound = LoopbackPort.bind(fd), listen(fd, 128) == 0 else {
            let error = SocketError("bind/listen", errno)
            close(fd)
            throw error
        }
        listener = fd
        port = bound
        self.handler = handler
    }

    /// Stops accepting and wakes every connection thread; they close their sockets.
    func stop() {
        // Under the lock: a connection thread removes its fd (under the lock) before
        // closing it, so no fd shut down here can have been closed and reused.
        stats.withLock { stats in
            guard !stats.stopped else { return }
            stats.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in stats.openConnections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                break
            }
            var one: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let admitted = stats.withLock { stats in
                guard !stats.stopped else { return false }
                stats.accepted += 1
                stats.openConnections.insert(connection)
                return true
            }
            guard admitted else {
                close(connection)
                break
            }
            let thread = Thread { [self] in  // the core, not the TestServer
                serve(connection)
                stats.withLock { _ = $0.openConnections.remove(connection) }
                close(connection)
            }
            thread.name = "test-server-conn"
            thread.start()
        }
        close(listener)
    }
}

struct SocketError: Error, CustomStringConvertible {
    let description: String
    init(_ call: String, _ code: Int32) { description = "\(call) failed: errno \(code)" }
}
