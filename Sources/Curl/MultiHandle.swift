internal import CCurl

/// Owns one libcurl multi handle (`CURLM *`), whose connection cache every transfer of one
/// ``HTTPClient`` shares, and frees it in `deinit`. It runs the transfers through
/// `curl_multi_socket_action`: its ``SocketWatch`` waits on the sockets libcurl names, and only
/// the ready ones, and libcurl's due timers, are handed back to libcurl.
///
/// Only the ``CurlDriver`` thread adds, removes, runs and waits; ``wakeup()`` is all that
/// other threads call. That is why this is `@unchecked Sendable`: the reference crosses
/// threads, the handle's state does not. The driver holds a reference until it exits, so
/// `deinit` (on whichever thread drops the last one) never runs beside it. Over HTTP/2,
/// transfers to one server share a connection as streams (libcurl's default).
final class MultiHandle: @unchecked Sendable {
    private let raw: UnsafeMutableRawPointer
    /// Outlives `raw`: stored properties are released after `deinit`'s `curl_multi_cleanup`,
    /// which may still report sockets to it.
    private let watch: SocketWatch

    /// A multi handle that keeps at most `connections` connections, open or cached, or nil
    /// if libcurl could not allocate one or the system a wake-up descriptor (``wakeup()``
    /// must work, or every request on an idle client would wait for the driver's backstop).
    init?(connections: Int) {
        guard let watch = SocketWatch() else { return nil }
        guard let raw = curl_multi_init() else { return nil }
        self.raw = raw
        self.watch = watch
        _ = patgate_curl_multi_setopt_long(raw, CURLMOPT_MAX_TOTAL_CONNECTIONS, connections)
        _ = patgate_curl_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, connections)
        let watched = patgate_curl_multi_watch_sockets(
            raw,
            { _, socket, what, watch, _ in
                guard let watch else { return -1 }
                Unmanaged<SocketWatch>.fromOpaque(watch).takeUnretainedValue().update(socket, what: what)
                return 0
            }, Unmanaged.passUnretained(watch).toOpaque())
        // Returning nil now still runs `deinit` (every property is set), which cleans up.
        guard watched == CURLM_OK else { return nil }
    }

    deinit {
        curl_multi_cleanup(raw)
    }

    /// Adds `easy`'s transfer (its options are set); ``runDueTimers()`` starts it.
    func add(_ easy: EasyHandle) throws(CurlError) {
        try check(curl_multi_add_handle(raw, easy.raw), "curl_multi_add_handle")
    }

    /// Detaches `easy`, finished or not; an unfinished transfer stops here.
    func remove(_ easy: EasyHandle) {
        _ = curl_multi_remove_handle(raw, easy.raw)
    }

    /// Starts the transfers just added and runs libcurl's expired timeouts, if any are due;
    /// callbacks run here.
    func runDueTimers() {
        if timerMilliseconds() == 0 { _ = patgate_curl_multi_run_timers(raw) }
    }

    /// The next finished transfer (its handle, as ``EasyHandle/raw``, and its result), or nil.
    func nextFinished() -> (easy: UnsafeMutableRawPointer, code: CURLcode)? {
        var code = CURLE_OK
        guard let easy = patgate_curl_multi_next_done(raw, &code) else { return nil }
        return (easy, code)
    }

    /// Waits until a transfer's socket is ready, ``wakeup()`` is called, `milliseconds` pass,
    /// or libcurl's next timer is due, whichever comes first, then moves on the transfers
    /// whose sockets are ready; callbacks run here.
    func wait(milliseconds: Int32) {
        let timer = timerMilliseconds()
        let bound = timer < 0 ? milliseconds : Int32(clamping: min(timer, Int(milliseconds)))
        watch.wait(milliseconds: bound) { socket, readiness in
            _ = patgate_curl_multi_run_socket(raw, socket, readiness)
        }
    }

    /// Makes the current or the next ``wait(milliseconds:)`` return at once. Any thread.
    func wakeup() {
        watch.wake()
    }

    /// Milliseconds until libcurl's next timer is due: 0 if it is due now, -1 if none is set.
    private func timerMilliseconds() -> Int {
        var milliseconds = -1
        _ = curl_multi_timeout(raw, &milliseconds)
        return milliseconds
    }

    private func check(_ code: CURLMcode, _ call: StaticString) throws(CurlError) {
        guard code == CURLM_OK else {
            let text = curl_multi_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
            throw CurlError(kind: .other, message: "\(call) failed: \(text)")
        }
    }
}
