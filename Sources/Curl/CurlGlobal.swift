internal import CCurl

/// `curl_global_init` runs once per process, the first time a client is created;
/// Swift's lazy `static let` initialisation is thread-safe, and so is this.
enum CurlGlobal {
    private static let initResult: Int32 = {
        Int32(bitPattern: patgate_curl_global_init_default().rawValue)
    }()

    /// Initialises libcurl once, or reports why it could not be.
    static func ensureInitialised() throws(CurlError) {
        let code = CURLcode(rawValue: UInt32(bitPattern: initResult))
        guard code == CURLE_OK else {
            throw CurlError(curlCode: code, detail: "curl_global_init failed: \(CurlError.text(of: code))")
        }
    }
}
