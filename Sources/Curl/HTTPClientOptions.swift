/// Settings an ``HTTPClient`` applies to every request.
public struct HTTPClientOptions: Sendable {
    /// The longest a TCP connect plus TLS handshake may take.
    public var connectTimeout: Duration = .seconds(2)
    /// The longest a whole request may take, connect included.
    public var totalTimeout: Duration = .seconds(5)
    /// Verify the server's certificate chain and host name. Turn off only in tests.
    public var verifyTLS: Bool = true
    /// A PEM file of CA certificates to trust instead of the system's bundle.
    public var caFile: String? = nil
    /// The largest response body accepted; a larger one fails with
    /// ``CurlError/Kind-swift.enum/responseTooLarge``.
    public var maxResponseBytes: Int = 1 << 20
    /// How many requests may run at once, and how many connections (open or kept alive for
    /// the next request) the client holds.
    public var connections: Int = 8
    /// The proxy to use, as libcurl's `CURLOPT_PROXY` takes it. `nil` means no proxy at all:
    /// the `http_proxy`/`https_proxy` environment variables are ignored, so a subject token
    /// never travels through a proxy nobody configured for it.
    public var proxy: String? = nil
    /// How many requests may wait for a free connection; more fail at once.
    public var maxQueued: Int = 1_024

    /// Creates options; every parameter has the default documented on its property.
    public init(
        connectTimeout: Duration = .seconds(2),
        totalTimeout: Duration = .seconds(5),
        verifyTLS: Bool = true,
        caFile: String? = nil,
        maxResponseBytes: Int = 1 << 20,
        connections: Int = 8,
        proxy: String? = nil
    ) {
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.maxResponseBytes = maxResponseBytes
        self.connections = connections
    }
}

extension HTTPClientOptions {
    /// The most transfers one client may run at once.
    static let maxConnections = 256

    func validate() throws(CurlError) {
        guard connections >= 1, connections <= HTTPClientOptions.maxConnections else {
            throw CurlError(kind: .invalidRequest, message: "options: connections must be in 1...\(HTTPClientOptions.maxConnections)")
        }
        guard connectTimeout > .zero, totalTimeout > .zero else {
            throw CurlError(kind: .invalidRequest, message: "options: timeouts must be positive")
        }
        guard maxQueued >= 0 else {
            throw CurlError(kind: .invalidRequest, message: "options: maxQueued must not be negative")
        }
        guard maxResponseBytes >= 0 else {
            throw CurlError(kind: .invalidRequest, message: "options: maxResponseBytes must not be negative")
        }
        guard caFile.map({ !$0.isEmpty && !$0.utf8.contains(0) }) ?? true else {
            throw CurlError(kind: .invalidRequest, message: "options: invalid caFile path")
        }
    }
}

extension Duration {
    /// Whole milliseconds for libcurl's *_MS options, rounded up so a positive duration
    /// never becomes 0 (which libcurl reads as "no timeout"), clamped to what fits.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 1 }
        let (wholeMs, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return Int(Int32.max) }
        let attoPerMs: Int64 = 1_000_000_000_000_000
        let partMs = (attoseconds + attoPerMs - 1) / attoPerMs
        return Int(max(1, min(wholeMs + partMs, Int64(Int32.max))))
    }
}
