import HTTPTypes

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
