import JSON

/// A JWK Set (RFC 7517 §5), as served at the JWKS endpoint.
public struct JWKSet: Sendable, Codable, Equatable {
    /// The keys, current signing key first by convention.
    public var keys: [JWK]

    /// Creates a set of keys.
    public init(keys: [JWK]) {
        self.keys = keys
    }

    /// `{"keys":[...]}` as compact JSON; members that are `nil` are omitted.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("keys")
        writer.beginArray()
        for key in keys { key.writeJSON(to: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
