import ServiceLifecycle

/// The audit writer is a `Service` of the composition root's group: it is stopped after the
/// HTTP server and the usage recorder, so the last events of the last requests are written
/// and synced before the process exits (docs/ARCHITECTURE.md, "Lifecycle").
extension JSONLinesAuditLog: Service {
    public func run() async {
        try? await gracefulShutdown()
        await drain()
    }
}
