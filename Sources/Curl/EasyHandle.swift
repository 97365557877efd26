internal import CCurl

/// Owns one libcurl easy handle (`CURL *`) and its error buffer, and frees both in
/// `deinit`. Deliberately not `Sendable`: the ``CurlDriver`` thread creates it, is its only
/// user for its whole life, and drops it when it exits; connections live in the driver's
/// ``MultiHandle``, so a handle is free for any request once its transfer is done. Every setter checks libcurl's result and throws a ``CurlError`` on the spot.
final class EasyHandle {
    /// The `CURL *`, for ``MultiHandle`` only.
    let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int

    /// A fresh handle, or nil if libcurl could not allocate one.
    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBufferSize = patgate_curl_error_size()
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Drops every option (and so every pointer we handed libcurl) but keeps the
    /// connection, DNS and TLS session caches. Re-arms the error buffer.
    func reset() throws(CurlError) {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
        try check(patgate_curl_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
    }

    func set(_ option: CURLoption, _ value: Int, _ name: StaticString) throws(CurlError) {
        try check(patgate_curl_setopt_long(raw, option, value), name)
    }

    func set(_ option: CURLoption, offset value: Int64, _ name: StaticString) throws(CurlError) {
        try check(patgate_curl_setopt_off_t(raw, option, curl_off_t(value)), name)
    }

    /// A string option; libcurl copies the string.
    func set(_ option: CURLoption, _ value: String, _ name: StaticString) throws(CurlError) {
        let code = value.withCString { patgate_curl_setopt_string(raw, option, $0) }
        try check(code, name)
    }

    /// A pointer option; the caller keeps the pointee alive while libcurl may use it.
    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?, _ name: StaticString) throws(CurlError) {
        try check(patgate_curl_setopt_pointer(raw, option, value), name)
    }

    /// `CURLOPT_HTTPHEADER`; the caller keeps the list alive until the next ``reset()``.
    func setHeaders(_ list: UnsafeMutablePointer<curl_slist>?) throws(CurlError) {
        try check(patgate_curl_setopt_slist(raw, CURLOPT_HTTPHEADER, list), "HTTPHEADER")
    }

    /// The body to send; libcurl copies it.
    func copyPostFields(_ body: [UInt8]) throws(CurlError) {
        let code = body.withUnsafeBytes { patgate_curl_setopt_copypostfields(raw, $0.baseAddress, curl_off_t($0.count)) }
        try check(code, "COPYPOSTFIELDS")
    }

    func setCallbacks(context: UnsafeMutableRawPointer) throws(CurlError) {
        try check(patgate_curl_setopt_write_function(raw, TransferContext.writeCallback), "WRITEFUNCTION")
        try check(patgate_curl_setopt_header_function(raw, TransferContext.headerCallback), "HEADERFUNCTION")
        try set(CURLOPT_WRITEDATA, pointer: context, "WRITEDATA")
        try set(CURLOPT_HEADERDATA, pointer: context, "HEADERDATA")
    }

    /// The last response's status code.
    func responseCode() throws(CurlError) -> Int {
        var status = 0
        try check(patgate_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status), "RESPONSE_CODE")
        return status
    }

    /// libcurl's detailed text for the last failure, else its generic text for `code`.
    func errorText(for code: CURLcode) -> String {
        errorBuffer[errorBufferSize - 1] = 0
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? CurlError.text(of: code) : detail
    }

    private func check(_ code: CURLcode, _ name: StaticString) throws(CurlError) {
        guard code == CURLE_OK else {
            throw CurlError(curlCode: code, detail: "setting \(name) failed: \(CurlError.text(of: code))")
        }
    }
}
