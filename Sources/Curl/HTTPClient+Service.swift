import ServiceLifecycle

/// The client's driver thread is a long-running piece of the process: the composition root runs it in
/// its `ServiceGroup`, which stops it after the HTTP server has answered every request.
extension HTTPClient: Service {
    /// Returns once the group stops (gracefully or by cancellation), after stopping the
    /// client: its transfers end, its driver thread exits, and later requests fail with ``CurlError/Kind-swift.enum/shutdown``.
    public func run() async {
        try? await gracefulShutdown()
        shutdown()
    }
}
