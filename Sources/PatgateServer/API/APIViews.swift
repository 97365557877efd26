import JSON
import PatgateCore

/// The JSON shapes of the management API (see `openapi.yaml`).
enum APIViews {
    /// A Token; with `value`, the one-time `token` member of a create or rotate answer.
    static func token(_ token: PersonalAccessToken, now: Int64, value: String? = nil, into json: inout JSONWriter) {
        json.beginObject()
        json.field("id", token.id)
        json.field("owner", token.owner)
        json.field("name", token.name)
        json.key("scopes")
        strings(token.scopes, &json)
        json.field("created_at", RFC3339.format(token.createdAt))
        timestamp("expires_at", token.expiresAt, &json)
        timestamp("last_used_at", token.lastUsedAt, &json)
        json.key("last_used_ip")
        if let address = token.lastUsedAddress { json.value(address) } else { json.null() }
        timestamp("revoked_at", token.revokedAt, &json)
        json.field("state", token.state(at: now).rawValue)
        if let value { json.field("token", value) }
        json.endObject()
    }

    static func token(_ token: PersonalAccessToken, now: Int64, value: String? = nil) -> [UInt8] {
        var json = JSONWriter()
        self.token(token, now: now, value: value, into: &json)
        return json.bytes
    }

    static func page(_ page: PATPage, now: Int64) -> [UInt8] {
        var json = JSONWriter(capacity: 512)
        json.beginObject()
        json.key("items")
        json.beginArray()
        for item in page.items { token(item, now: now, into: &json) }
        json.endArray()
        json.key("next_cursor")
        if let cursor = page.nextCursor { json.value(cursor) } else { json.null() }
        json.endObject()
        return json.bytes
    }

    /// `{username, display_name, role}`; administrators' views add `disabled` and `created_at`.
    static func user(_ user: User, full: Bool = false, into json: inout JSONWriter) {
        json.beginObject()
        json.field("username", user.username)
        json.field("display_name", user.displayName)
        json.field("role", user.role.rawValue)
        if full {
            json.field("disabled", user.disabled)
            json.field("created_at", RFC3339.format(user.createdAt))
        }
        json.endObject()
    }

    static func strings(_ values: [String], _ json: inout JSONWriter) {
        json.beginArray()
        for value in values { json.value(value) }
        json.endArray()
    }

    private static func timestamp(_ name: String, _ value: Int64?, _ json: inout JSONWriter) {
        json.key(name)
        if let value { json.value(RFC3339.format(value)) } else { json.null() }
    }
}
