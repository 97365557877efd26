import HTTPTypes
import NIOHTTP1

/// The headers a forward-auth request is decided on, read in one pass over its fields: a
/// lookup by name scans them all and joins the values into a new string, and every answer
/// needs three or four. A header sent twice reads as its values joined by ", ", as a lookup
/// by name gives it.
struct ForwardAuthHeaders {
    /// Where the original request's method, host and URI are, by the gateway's convention.
    struct Names {
        let method: HTTPField.Name?
        let host: HTTPField.Name?
        let uri: HTTPField.Name?
        /// `authz.credential_header`, when configured.
        let credential: HTTPField.Name?
    }

    var authorization: String?
    var credential: String?
    var method: String?
    var host: String?
    var uri: String?

    init(_ fields: HTTPFields, _ names: Names) {
        for field in fields {
            _ = read(field.value, named: { field.name == $0 }, names, accepting: { _ in true })
        }
    }

    /// Adds `value` to what a field named so feeds (one of the four, and the credential).
    /// `false` only when it feeds one and `accepting` refuses it. The one list of the fields
    /// read, for both readers: the router's and `InlineAnswerHandler`'s answers must agree.
    private mutating func read(_ value: String, named isName: (HTTPField.Name) -> Bool, _ names: Names,
                               accepting: (String) -> Bool) -> Bool {
        let slot: WritableKeyPath<ForwardAuthHeaders, String?>?
        if isName(.authorization) {
            slot = \.authorization
        } else if let uri = names.uri, isName(uri) {
            slot = \.uri
        } else if let method = names.method, isName(method) {
            slot = \.method
        } else if let host = names.host, isName(host) {
            slot = \.host
        } else {
            slot = nil
        }
        let isCredential = names.credential.map(isName) ?? false
        guard slot != nil || isCredential else { return true }
        guard accepting(value) else { return false }
        if let slot { Self.add(value, to: &self[keyPath: slot]) }
        if isCredential { Self.add(value, to: &credential) }
        return true
    }

    private static func add(_ value: String, to found: inout String?) {
        found = found.map { $0 + ", " + value } ?? value
    }
}

extension ForwardAuthHeaders {
    /// The same reading of an HTTP/1 head's headers, for `InlineAnswerHandler`; `nil` when a
    /// value it reads is one HTTPTypes would not keep as it is (the router then decides, on
    /// what it gets).
    init?(_ headers: HTTPHeaders, _ names: Names) {
        // HTTPTypes drops the first `Host` (it becomes the authority) and may split `Cookie`.
        if let credential = names.credential?.canonicalName, credential == "host" || credential == "cookie" { return nil }
        for (name, value) in headers {
            guard read(value, named: { Self.named(name, $0) }, names, accepting: HTTPField.isValidValue) else { return nil }
        }
    }

    /// Whether an HTTP/1 field name is `field`'s, ASCII case aside.
    private static func named(_ name: String, _ field: HTTPField.Name) -> Bool {
        let canonical = field.canonicalName.utf8
        guard name.utf8.count == canonical.count else { return false }
        return zip(name.utf8, canonical).allSatisfy { $0 == $1 || $0 | 0x20 == $1 && $1 >= UInt8(ascii: "a") && $1 <= UInt8(ascii: "z") }
    }
}
