import PatgateCore

/// The checks `JSONDecoder` does not make on a management API body, run before decoding with
/// Core's strict `JSONValueParser`: a member named twice (the decoder keeps one silently) and
/// a `null` member (the decoder takes it for an absent optional) and a member the body does not
/// have (the decoder ignores it) are 400s that name the member.
enum StrictJSONBody {
    static func check(_ bytes: [UInt8], members: [String]) throws(Problem) {
        var duplicate: String?
        guard let value = JSONValueParser.parse(bytes, duplicate: &duplicate) else {
            if let duplicate { throw .badRequest("\(duplicate): is given twice") }
            throw .badRequest("the body is not a valid JSON object")
        }
        guard case .object(let given) = value else { throw .badRequest("the body is not a valid JSON object") }
        if let unknown = given.keys.sorted().first(where: { !members.contains($0) }) {
            throw .badRequest("\(unknown.prefix(64)): is not a member of this body (it has \(members.joined(separator: ", ")))")
        }
        if let path = firstNull(value, path: "") {
            throw .badRequest("\(path): may not be null (leave the member out instead)")
        }
    }

    /// The path of the first `null` (members in name order), or nil.
    private static func firstNull(_ value: JSONValue, path: String) -> String? {
        switch value {
        case .null:
            return path.isEmpty ? "the body" : path
        case .object(let members):
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let found = firstNull(member, path: path.isEmpty ? name : path + "." + name) { return found }
            }
            return nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = firstNull(element, path: path + "[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
