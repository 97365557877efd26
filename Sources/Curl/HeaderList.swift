internal import CCurl

/// Builds the `curl_slist` for CURLOPT_HTTPHEADER. The caller frees it with
/// `curl_slist_free_all` once the transfer is over.
enum HeaderList {
    /// The list for `headers` (already validated: token names, no CR/LF/NUL), plus
    /// `Expect:` to stop libcurl's `100-continue` round trip unless the caller set one.
    static func make(_ headers: [(name: String, value: String)]) throws(CurlError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>? = nil
        var lines = headers.map { header in
            // libcurl's syntax for a header with an empty value is "Name;".
            header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
        }
        if !headers.contains(where: { HTTPResponse.asciiCaseInsensitiveEqual($0.name, "Expect") }) {
            lines.append("Expect:")
        }
        for line in lines {
            guard let appended = line.withCString({ curl_slist_append(list, $0) }) else {
                curl_slist_free_all(list)
                throw CurlError(kind: .other, code: Int32(bitPattern: CURLE_OUT_OF_MEMORY.rawValue),
                                message: "curl_slist_append failed")
            }
            list = appended
        }
        return list
    }
}
