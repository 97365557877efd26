internal import CCurl

extension CurlError.Kind {
    /// The class of a libcurl result code (never `CURLE_OK`). Callers handle the codes
    /// whose meaning depends on our own callbacks (`CURLE_WRITE_ERROR`,
    /// `CURLE_ABORTED_BY_CALLBACK`) before asking this.
    init(curlCode code: CURLcode) {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            self = .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            self = .tls
        case CURLE_FILESIZE_EXCEEDED:
            self = .responseTooLarge
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            self = .invalidRequest
        default:
            self = .other
        }
    }
}

extension CurlError {
    /// An error for a failed libcurl call; `detail` must already be free of secrets.
    init(curlCode code: CURLcode, detail: String) {
        self.init(kind: Kind(curlCode: code), code: Int32(bitPattern: code.rawValue), message: detail)
    }

    /// libcurl's fixed, secret-free text for `code`.
    static func text(of code: CURLcode) -> String {
        curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
    }
}
