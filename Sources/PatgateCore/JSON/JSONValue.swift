import JSON
/// A JSON value as read from an upstream (introspection responses) and copied into claims.
public enum JSONValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Integers, and doubles with no fractional part (some upstreams write `exp` as `1.7e9`).
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value) where value.rounded() == value && abs(value) < 9.0e15: return Int64(value)
        default: return nil
        }
    }

    /// The value as compact JSON text (object members sorted by name).
    public var jsonText: String {
        var json = JSONWriter()
        write(into: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    func write(into json: inout JSONWriter) {
        switch self {
        case .string(let value): json.value(value)
        case .integer(let value): json.value(value)
        case .number(let value): json.raw(Array((value.isFinite ? "\(value)" : "null").utf8))
        case .bool(let value): json.value(value)
        case .null: json.null()
        case .array(let values):
            json.beginArray()
            for value in values { json.value(value) }
            json.endArray()
        case .object(let members):
            json.beginObject()
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                json.key(key)
                json.value(value)
            }
            json.endObject()
        }
    }
}

extension JSONWriter {
    /// Appends any JSON value (each part writes its own separator).
    public mutating func value(_ json: JSONValue) {
        json.write(into: &self)
    }
}
