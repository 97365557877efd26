extension String {
    /// `bytes` as a string if they are valid UTF-8, else `nil`: `String(validating:as:)` without
    /// its cost on ASCII. All-ASCII bytes (nearly every JSON string and form field patgate reads)
    /// are copied without a validation, since the standard library's generic one looks its type
    /// metadata up at run time on every call (BENCHMARKS.md, "Issue 14", sessions 16 and 18).
    package init?(utf8Validating bytes: UnsafeBufferPointer<UInt8>) {
        if !bytes.contains(where: { $0 >= 0x80 }) {
            self.init(decoding: bytes, as: UTF8.self)
        } else {
            guard let string = String(validating: bytes, as: UTF8.self) else { return nil }
            self = string
        }
    }
}
