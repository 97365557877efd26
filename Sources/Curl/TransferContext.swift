internal import CCurl

/// What libcurl's callbacks of one transfer write into. Its ``Transfer`` keeps it alive
/// while the transfer runs and hands libcurl an unretained pointer to it; the callbacks run
/// on the ``CurlDriver`` thread, inside `curl_multi_socket_action`.
final class TransferContext {
    private let maxBodyBytes: Int

    private(set) var body: [UInt8] = []
    private(set) var headers: [(name: String, value: String)] = []
    /// Set when the body outgrew `maxBodyBytes` and the write callback refused it.
    private(set) var bodyTooLarge = false

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= maxBodyBytes - body.count else {
            bodyTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// One raw header line, CRLF included. A status line starts a new response
    /// (after `100 Continue`, say), so it drops the headers collected so far.
    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var line = bytes[...]
        while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: "\n") {
            line = line.dropLast()
        }
        if line.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let first = line.first else { return }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            // Obsolete line folding: continues the previous field's value.
            guard !headers.isEmpty else { return }
            headers[headers.count - 1].value += " " + TransferContext.trimmed(line)
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        headers.append((name: name, value: TransferContext.trimmed(line[(colon + 1)...])))
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let start = bytes.firstIndex(where: { !isSpace($0) }) ?? bytes.endIndex
        let end = bytes.lastIndex(where: { !isSpace($0) }).map { $0 + 1 } ?? start
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}

extension TransferContext {
    private static func from(_ pointer: UnsafeMutableRawPointer?) -> TransferContext? {
        pointer.map { Unmanaged<TransferContext>.fromOpaque($0).takeUnretainedValue() }
    }

    /// CURLOPT_WRITEFUNCTION: returning less than offered makes libcurl fail the
    /// transfer with CURLE_WRITE_ERROR, which ``bodyTooLarge`` then explains.
    static let writeCallback: patgate_curl_data_callback = { buffer, size, count, userdata in
        let (total, overflow) = size.multipliedReportingOverflow(by: count)
        guard !overflow, buffer != nil || total == 0, let context = TransferContext.from(userdata) else { return 0 }
        return context.appendBody(UnsafeRawBufferPointer(start: buffer, count: total)) ? total : 0
    }

    /// CURLOPT_HEADERFUNCTION: one header line per call.
    static let headerCallback: patgate_curl_data_callback = { buffer, size, count, userdata in
        let (total, overflow) = size.multipliedReportingOverflow(by: count)
        guard !overflow, buffer != nil || total == 0, let context = TransferContext.from(userdata) else { return 0 }
        context.appendHeaderLine(UnsafeRawBufferPointer(start: buffer, count: total))
        return total
    }
}
