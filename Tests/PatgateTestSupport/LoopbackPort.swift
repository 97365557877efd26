#if canImport(Glibc)
import Glibc
#endif

/// Ports on 127.0.0.1 for test servers and for "nothing listens here" tests.
public enum LoopbackPort {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds `fd` (an IPv4 stream socket) to 127.0.0.1 on a port the kernel chooses and
    /// returns that port; `nil` when `bind` or `getsockname` fails.
    public static func bind(_ fd: Int32) -> Int? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                Glibc.bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// A port on 127.0.0.1 where nothing listens now (bound once, then released): for a
    /// server about to start, or for a connection that must be refused.
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed: errno \(errno)") }
        defer { close(fd) }
        guard let port = bind(fd) else { throw Failure(description: "bind failed: errno \(errno)") }
        return port
    }
}
