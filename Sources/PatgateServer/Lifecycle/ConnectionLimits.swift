#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore

/// The bounds `ConnectionGuardHandler` and `ConnectionRegistry` keep (README, "Hostile
/// clients"): from `server.header_timeout_ms`, `server.body_timeout_ms`,
/// `server.idle_timeout_seconds` and `server.max_connections`.
public struct ConnectionLimits: Sendable {
    var headerTimeout: TimeAmount
    var bodyTimeout: TimeAmount
    var idleTimeout: TimeAmount
    /// Open connections at most (`ConnectionRegistry`).
    var maxConnections: Int

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, idleTimeout: TimeAmount, maxConnections: Int) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// The configured bounds; the connection cap derived from, or clamped to, the process's
    /// file-descriptor limit, and logged.
    init(_ server: PatgateConfig.Server, logger: Logger) {
        let cap = Self.connectionCap(server)
        if cap.lowered {
            logger.warning("server.max_connections is above what the file-descriptor limit allows; lowered", metadata: [
                "configured": "\(server.maxConnections ?? 0)", "max_connections": "\(cap.maxConnections)",
                "nofile": "\(cap.descriptorLimit)",
            ])
        }
        logger.info("connection limits", metadata: [
            "max_connections": "\(cap.maxConnections)", "nofile": "\(cap.descriptorLimit)",
            "header_timeout_ms": "\(server.headerTimeoutMilliseconds)",
            "body_timeout_ms": "\(server.bodyTimeoutMilliseconds)",
            "idle_timeout_seconds": "\(server.idleTimeoutSeconds)",
        ])
        self.init(headerTimeout: .milliseconds(Int64(server.headerTimeoutMilliseconds)),
                  bodyTimeout: .milliseconds(Int64(server.bodyTimeoutMilliseconds)),
                  idleTimeout: .seconds(Int64(server.idleTimeoutSeconds)),
                  maxConnections: cap.maxConnections)
    }

    /// The connection cap for `server` in this process: `server.max_connections`, or what the
    /// file-descriptor limit allows (`lowered` when the configured value was above that).
    public static func connectionCap(_ server: PatgateConfig.Server)
        -> (maxConnections: Int, descriptorLimit: Int, lowered: Bool) {
        let descriptors = descriptorLimit()
        let ceiling = connectionCeiling(descriptorLimit: descriptors)
        guard let configured = server.maxConnections else { return (ceiling, descriptors, false) }
        return (min(configured, ceiling), descriptors, configured > ceiling)
    }

    /// Connections that fit in `descriptorLimit` descriptors with a reserve for everything else
    /// the process opens (libcurl's connections, the store, the audit log, the event loops):
    /// 128, or a quarter of a limit under 512.
    static func connectionCeiling(descriptorLimit: Int) -> Int {
        max(1, descriptorLimit - min(128, descriptorLimit / 4))
    }

    /// `RLIMIT_NOFILE`'s soft limit (what `ulimit -n` shows).
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return 1_024 }
        return Int(clamping: min(limit.rlim_cur, rlim_t(Int32.max)))
    }
}
