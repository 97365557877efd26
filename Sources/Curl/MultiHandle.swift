internal import CCurl

/// Owns one libcurl multi handle (`CURLM *`), whose connection cache every transfer of one
/// ``HTTPClient`` shares, and frees it in `deinit`.
///
/// Only the ``CurlDriver`` thread adds, removes, performs and polls; ``wakeup()`` is the one
/// call libcurl allows from any thread, and it is all that other threads call. That is why
/// this is `@unchecked Sendable`: the reference crosses threads, the handle's state does not.
/// The driver holds a reference until it exits, so `deinit` (on whichever thread drops the
/// last one) never runs beside it. Over HTTP/2, transfers to one server share a connection
/// as streams (libcurl's default).
final class MultiHandle: @unchecked Sendable {
    private let raw: UnsafeMutableRawPointer

    /// A multi handle that keeps at most `connections` connections, open or cached, or nil
    /// if libcurl could not allocate one or its wake-up channel (``wakeup()`` must work, or
    /// every request on an idle client would wait for the driver's backstop).
    init?(connections: Int) {
        guard let raw = curl_multi_init() else { return nil }
        self.raw = raw
        _ = patgate_curl_multi_setopt_long(raw, CURLMOPT_MAX_TOTAL_CONNECTIONS, connections)
        _ = patgate_curl_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, connections)
        guard curl_multi_wakeup(raw) == CURLM_OK else { return nil }
        poll(milliseconds: 0)   // takes that wake-up back
    }

    deinit {
        curl_multi_cleanup(raw)
    }

    /// Starts `easy`'s transfer (its options are set); it runs in ``perform()``.
    func add(_ easy: EasyHandle) throws(CurlError) {
        try check(curl_multi_add_handle(raw, easy.raw), "curl_multi_add_handle")
    }

    /// Detaches `easy`, finished or not; an unfinished transfer stops here.
    func remove(_ easy: EasyHandle) {
        _ = curl_multi_remove_handle(raw, easy.raw)
    }

    /// Moves every transfer on as far as it can go without waiting; callbacks run here.
    func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(raw, &running)
    }

    /// The next finished transfer (its handle, as ``EasyHandle/raw``, and its result), or nil.
    func nextFinished() -> (easy: UnsafeMutableRawPointer, code: CURLcode)? {
        var code = CURLE_OK
        guard let easy = patgate_curl_multi_next_done(raw, &code) else { return nil }
        return (easy, code)
    }

    /// Waits until a transfer's socket is ready, one of libcurl's own timers is due (it
    /// shortens the wait itself), ``wakeup()`` is called, or `milliseconds` pass.
    func poll(milliseconds: Int32) {
        _ = curl_multi_poll(raw, nil, 0, milliseconds, nil)
    }

    /// Makes the current or the next ``poll(milliseconds:)`` return at once. Any thread.
    /// (`init` checked that it works.)
    func wakeup() {
        _ = curl_multi_wakeup(raw)
    }

    private func check(_ code: CURLMcode, _ call: StaticString) throws(CurlError) {
        guard code == CURLM_OK else {
            let text = curl_multi_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
            throw CurlError(kind: .other, message: "\(call) failed: \(text)")
        }
    }
}
