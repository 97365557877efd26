internal import CCurl

/// One request on one ``EasyHandle`` of the ``CurlDriver``: `init` sets every option and adds
/// the handle to the driver's ``MultiHandle``, which then runs the transfer; ``result(of:)``
/// reads the response once libcurl reports it done, and ``release()`` resets the handle so
/// that it keeps no pointer into this request's memory. Used on the driver thread only.
final class Transfer {
    let job: CurlJob
    let handle: EasyHandle
    private let options: HTTPClientOptions
    /// libcurl's callbacks hold it unretained; this transfer keeps it alive.
    private let context: TransferContext
    private var headerList: UnsafeMutablePointer<curl_slist>? = nil

    /// Sets `handle` up for `job` and adds it to `multi`. On failure the handle is reset again,
    /// out of `multi`, and free for another job.
    init(job: CurlJob, handle: EasyHandle, options: HTTPClientOptions, in multi: MultiHandle) throws(CurlError) {
        self.job = job
        self.handle = handle
        self.options = options
        context = TransferContext(maxBodyBytes: options.maxResponseBytes)
        do throws(CurlError) {
            try prepare()
            try multi.add(handle)
        } catch {
            release()
            throw error.about(job.request)
        }
    }

    deinit {
        curl_slist_free_all(headerList)
    }

    /// The response, or why there is none, for the result libcurl reported.
    func result(of code: CURLcode) -> Result<HTTPResponse, CurlError> {
        do throws(CurlError) {
            guard code == CURLE_OK else { throw failure(code) }
            return .success(HTTPResponse(status: try handle.responseCode(), headers: context.headers, body: context.body))
        } catch {
            return .failure(error.about(job.request))
        }
    }

    /// Drops every option (and so every pointer into this transfer) from the handle, once it
    /// is out of the multi handle.
    func release() {
        try? handle.reset()
        curl_slist_free_all(headerList)
        headerList = nil
    }

    private func prepare() throws(CurlError) {
        let request = job.request
        if job.cancellation.isCancelled { throw .cancelled() }
        try handle.reset()
        try applyClientOptions(deadline: job.deadline)
        try handle.setCallbacks(context: Unmanaged.passUnretained(context).toOpaque())
        try handle.set(CURLOPT_URL, request.url, "URL")
        try applyMethod(request)
        headerList = try HeaderList.make(request.headers)
        try handle.setHeaders(headerList)
        if Transfer.sendsBody(request) { try handle.copyPostFields(request.body) }
    }

    /// The client-wide options; re-applied after every `curl_easy_reset`.
    private func applyClientOptions(deadline: ContinuousClock.Instant) throws(CurlError) {
        try handle.set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeout.curlMilliseconds, "CONNECTTIMEOUT_MS")
        // What is left of the job's deadline, after its wait for a free handle.
        let remaining = deadline - .now
        try handle.set(CURLOPT_TIMEOUT_MS, remaining > .zero ? remaining.curlMilliseconds : 1, "TIMEOUT_MS")
        try handle.set(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR")
        try handle.set(CURLOPT_FOLLOWLOCATION, 0, "FOLLOWLOCATION")
        try handle.set(CURLOPT_PROXY, options.proxy ?? "", "PROXY")   // "" disables environment proxies
        try handle.set(CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0, "SSL_VERIFYPEER")
        try handle.set(CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0, "SSL_VERIFYHOST")
        if let caFile = options.caFile {
            try handle.set(CURLOPT_CAINFO, caFile, "CAINFO")
        }
        if options.maxResponseBytes > 0 {
            // Fails early on a too-large Content-Length; the write callback enforces
            // the limit for chunked or lying responses.
            try handle.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(options.maxResponseBytes), "MAXFILESIZE_LARGE")
        }
    }

    private func applyMethod(_ request: HTTPRequest) throws(CurlError) {
        switch request.method {
        case "GET" where request.body.isEmpty:
            try handle.set(CURLOPT_HTTPGET, 1, "HTTPGET")
        case "HEAD" where request.body.isEmpty:
            try handle.set(CURLOPT_NOBODY, 1, "NOBODY")
        case "POST":
            try handle.set(CURLOPT_POST, 1, "POST")
        default:
            if Transfer.sendsBody(request) { try handle.set(CURLOPT_POST, 1, "POST") }
            try handle.set(CURLOPT_CUSTOMREQUEST, request.method, "CUSTOMREQUEST")
        }
    }

    /// POST always sends its (maybe empty) body; other methods only a non-empty one.
    private static func sendsBody(_ request: HTTPRequest) -> Bool {
        request.method == "POST" || !request.body.isEmpty
    }

    private func failure(_ code: CURLcode) -> CurlError {
        let rawCode = Int32(bitPattern: code.rawValue)
        if code == CURLE_WRITE_ERROR && context.bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return CurlError(
                kind: .responseTooLarge, code: rawCode,
                message: "response body exceeds \(options.maxResponseBytes) bytes")
        }
        return CurlError(curlCode: code, detail: Redaction.scrub(handle.errorText(for: code), of: job.request))
    }
}
