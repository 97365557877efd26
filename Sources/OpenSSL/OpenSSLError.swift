internal import CLibcrypto

/// Reads and clears OpenSSL's thread-local error queue.
enum OpenSSLError {
    /// The queued OpenSSL errors as one line (`"a; b"`), or `fallback` when the queue is empty.
    /// The queue is always left empty. OpenSSL's error strings name routines and reasons,
    /// never key bytes.
    static func drain(or fallback: String = "unknown OpenSSL error") -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if reasons.count >= 4 { continue }  // keep draining, report only the first few
            var buffer = [CChar](repeating: 0, count: 256)
            let text = buffer.withUnsafeMutableBufferPointer { buf -> String in
                guard let base = buf.baseAddress else { return "" }
                ERR_error_string_n(code, base, buf.count)
                return String(cString: base)
            }
            reasons.append(text)
        }
        return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
    }

    /// Forgets whatever is queued, e.g. after a failure that was handled.
    static func clear() {
        ERR_clear_error()
    }

    /// A `CryptoError` whose message is `context` followed by the drained OpenSSL reasons.
    static func error(_ code: CryptoError.Code, _ context: String) -> CryptoError {
        CryptoError(code, "\(context): \(drain())")
    }
}
