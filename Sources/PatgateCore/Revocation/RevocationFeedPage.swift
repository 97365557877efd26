import JSON

/// One answer of the issuer's revocation feed, `GET /revocations` (README "Revocation feed",
/// openapi.yaml): the events after the position the gateway asked from, oldest first, and the
/// position to ask from next.
///
/// ```json
/// {"events":[{"seq":42,"kind":"token","id":"<PAT id>","at":1764662400},
///            {"seq":43,"kind":"subject","id":"alice","at":1764662401}],
///  "next":43,"reset":false}
/// ```
///
/// Only non-secret names travel: a PAT's id (the `jti` of its RFC 7662 answer) or a subject
/// (a disabled user: all of their PATs). `reset: true` says the issuer cannot continue from
/// the position asked for; the gateway then drops its whole cache and continues from `next`.
public struct RevocationFeedPage: Sendable, Equatable {
    public let events: [RevocationEvent]
    public let next: Int64
    public let reset: Bool

    /// The most events one page carries.
    public static let maximumEvents = 500

    public init(events: [RevocationEvent], next: Int64, reset: Bool = false) {
        self.events = events
        self.next = next
        self.reset = reset
    }

    /// The feed's name for an event kind: what the cache purges by.
    static func feedKind(_ kind: RevocationEvent.Kind) -> String {
        switch kind {
        case .token: "token"
        case .user: "subject"
        }
    }

    public var json: [UInt8] {
        var json = JSONWriter(capacity: 64 + events.count * 80)
        json.beginObject()
        json.key("events")
        json.beginArray()
        for event in events {
            json.beginObject()
            json.field("seq", event.sequence)
            json.field("kind", Self.feedKind(event.kind))
            json.field("id", event.subject)
            json.field("at", event.at)
            json.endObject()
        }
        json.endArray()
        json.field("next", next)
        json.field("reset", reset)
        json.endObject()
        return json.bytes
    }

    /// Reads a page; `nil` unless it is exactly the shape above: `events` an array of objects
    /// with an integer `seq` (positive, ascending), a known
    /// `kind`, a non-empty string `id` and an integer `at`; `next` an integer no smaller than
    /// the last event's `seq` (unless `reset`); `reset` a boolean, absent meaning false.
    public static func parse(_ bytes: [UInt8]) -> RevocationFeedPage? {
        guard case .object(let members)? = JSONValueParser.parse(bytes),
              case .array(let items)? = members["events"], items.count <= maximumEvents,
              case .integer(let next)? = members["next"], next >= 0
        else { return nil }
        var reset = false
        if let flag = members["reset"] {
            guard case .bool(let value) = flag else { return nil }
            reset = value
        }
        var events: [RevocationEvent] = []
        events.reserveCapacity(items.count)
        for item in items {
            guard case .object(let event) = item,
                  case .integer(let sequence)? = event["seq"], sequence > (events.last?.sequence ?? 0),
                  let kind = event["kind"]?.stringValue.flatMap(kind(named:)),
                  let id = event["id"]?.stringValue, !id.isEmpty,
                  case .integer(let at)? = event["at"]
            else { return nil }
            events.append(RevocationEvent(sequence: sequence, kind: kind, subject: id, at: at))
        }
        if !reset, let last = events.last, next < last.sequence { return nil }
        return RevocationFeedPage(events: events, next: next, reset: reset)
    }

    private static func kind(named name: String) -> RevocationEvent.Kind? {
        switch name {
        case "token": .token
        case "subject": .user
        default: nil
        }
    }
}
