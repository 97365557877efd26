import JSON
import PatgateCore

/// The JSON view of `patgate user list --json`.
enum UserJSON {
    static func list(_ users: [User]) -> String {
        var json = JSONWriter()
        json.beginArray()
        for user in users {
            json.beginObject()
            json.field("username", user.username)
            json.field("display_name", user.displayName)
            json.field("role", user.role.rawValue)
            json.field("disabled", user.disabled)
            json.field("created_at", RFC3339.format(user.createdAt))
            json.endObject()
        }
        json.endArray()
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
