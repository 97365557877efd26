import JSON
import Foundation
import PatgateCore

/// The CLI's JSON views of PATs.
enum TokenJSON {
    static func timestamp(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func created(_ token: PersonalAccessToken, value: String) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("token", value)
        fields(token, &json)
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func list(_ tokens: [PersonalAccessToken]) -> String {
        var json = JSONWriter()
        json.beginArray()
        let now = UnixTime.now()
        for token in tokens {
            json.beginObject()
            fields(token, &json)
            json.field("state", token.state(at: now).rawValue)
            json.endObject()
        }
        json.endArray()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private static func fields(_ token: PersonalAccessToken, _ json: inout JSONWriter) {
        json.field("id", token.id)
        json.field("owner", token.owner)
        json.field("name", token.name)
        json.key("scopes")
        json.beginArray()
        for scope in token.scopes { json.value(scope) }
        json.endArray()
        json.field("created_at", timestamp(token.createdAt))
        json.key("expires_at")
        if let expiresAt = token.expiresAt { json.value(timestamp(expiresAt)) } else { json.null() }
        json.key("revoked_at")
        if let revokedAt = token.revokedAt { json.value(timestamp(revokedAt)) } else { json.null() }
    }
}
