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
            let name = field.name
            if name == .authorization {
                Self.add(field.value, to: &authorization)
            } else if name == names.uri {
                Self.add(field.value, to: &uri)
            } else if name == names.method {
                Self.add(field.value, to: &method)
            } else if name == names.host {
                Self.add(field.value, to: &host)
            }
            if name == names.credential { Self.add(field.value, to: &credential) }
        }
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
            let matched: WritableKeyPath<ForwardAuthHeaders, String?>?
            if Self.named(name, .authorization) {
                matched = \.authorization
            } else if let uri = names.uri, Self.named(name, uri) {
                matched = \.uri
            } else if let method = names.method, Self.named(name, method) {
                matched = \.method
            } else if let host = names.host, Self.named(name, host) {
                matched = \.host
            } else {
                matched = nil
            }
            let credential = names.credential.map { Self.named(name, $0) } ?? false
            guard matched != nil || credential else { continue }
            guard HTTPField.isValidValue(value) else { return nil }
            if let matched { Self.add(value, to: &self[keyPath: matched]) }
            if credential { Self.add(value, to: &self.credential) }
        }
    }

    /// Whether an HTTP/1 field name is `field`'s, ASCII case aside.
    private static func named(_ name: String, _ field: HTTPField.Name) -> Bool {
        let canonical = field.canonicalName.utf8
        guard name.utf8.count == canonical.count else { return false }
        return zip(name.utf8, canonical).allSatisfy { $0 == $1 || $0 | 0x20 == $1 && $1 >= UInt8(ascii: "a") && $1 <= UInt8(ascii: "z") }
    }
}
