/// The final HTTP response to an ``HTTPRequest`` (interim `1xx` responses are dropped;
/// redirects are returned, never followed).
public struct HTTPResponse: Sendable {
    /// The status code, such as 200.
    public var status: Int
    /// The header fields of the final response, in the order received.
    public var headers: [(name: String, value: String)]
    /// The response body, at most ``HTTPClientOptions/maxResponseBytes`` long.
    public var body: [UInt8]

    /// Creates a response (for test doubles of code that uses ``HTTPClient``).
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header field named `name`, compared case-insensitively
    /// (ASCII), or nil if there is none.
    public func header(_ name: String) -> String? {
        headers.first(where: { HTTPResponse.asciiCaseInsensitiveEqual($0.name, name) })?.value
    }

    static func asciiCaseInsensitiveEqual(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        return zip(lhs.utf8, rhs.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
    }

    private static func asciiLower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
