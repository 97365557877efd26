internal import CCurl

/// One request run on one worker's ``EasyHandle``: set options, perform (blocking the
/// worker thread), collect the response, and reset the handle so that it keeps no
/// pointer into this request's memory.
struct Transfer {
    let handle: EasyHandle
    let options: HTTPClientOptions
    let queue: JobQueue

    func run(_ job: CurlJob) -> Result<HTTPResponse, CurlError> {
        do throws(CurlError) {
            return .success(try perform(job))
        } catch {
            return .failure(error.about(job.request))
        }
    }

    private func perform(_ job: CurlJob) throws(CurlError) -> HTTPResponse {
        let request = job.request
        if job.cancellation.isCancelled { throw .cancelled() }
        if queue.isClosed { throw .shutdown }
        let context = TransferContext(
            maxBodyBytes: options.maxResponseBytes, cancellation: job.cancellation, queue: queue)
        defer { try? handle.reset() }
        try handle.reset()
        try applyClientOptions(deadline: job.deadline)
        try handle.setCallbacks(context: Unmanaged.passUnretained(context).toOpaque())
        try handle.set(CURLOPT_URL, request.url, "URL")
        try applyMethod(request)
        let headerList = try HeaderList.make(request.headers)
        defer { curl_slist_free_all(headerList) }
        try handle.setHeaders(headerList)
        let outcome = request.body.withUnsafeBytes { body in
            Result { () throws(CurlError) -> CURLcode in
                if Transfer.sendsBody(request) { try handle.setPostFields(body) }
                return withExtendedLifetime(context) { handle.perform() }
            }
        }
        let code = try outcome.get()
        guard code == CURLE_OK else { throw failure(code, context: context, request: request) }
        let status = try handle.responseCode()
        return HTTPResponse(status: status, headers: context.headers, body: context.body)
    }

    /// The client-wide options; re-applied after every `curl_easy_reset`.
    private func applyClientOptions(deadline: ContinuousClock.Instant) throws(CurlError) {
        try handle.set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeout.curlMilliseconds, "CONNECTTIMEOUT_MS")
        // What is left of the job's deadline, after its wait for this worker.
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

    private func failure(_ code: CURLcode, context: TransferContext, request: HTTPRequest) -> CurlError {
        let rawCode = Int32(bitPattern: code.rawValue)
        switch context.abort {
        case .shutdown?: return .shutdown
        case .cancelled?: return .cancelled(code: rawCode)
        case nil: break
        }
        if code == CURLE_WRITE_ERROR && context.bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return CurlError(
                kind: .responseTooLarge, code: rawCode,
                message: "response body exceeds \(options.maxResponseBytes) bytes")
        }
        return CurlError(curlCode: code, detail: Redaction.scrub(handle.errorText(for: code), of: request))
    }
}
