import Foundation
import PatgateCore

/// `credentials.s3.policy`: an inline session policy (JSON) in which `{user}` is replaced by
/// the user, escaped as a JSON string's content.
///
/// The template must be a JSON object as written, so `{user}` can only stand inside strings.
/// IAM reads `*` and `?` as wildcards and `${…}` as a policy variable, and JSON escaping does
/// not change that: a user whose name holds `*`, `?` or `$` would widen the policy, so such a
/// user is refused rather than given more than their own prefix.
public struct PolicyTemplate: Sendable, Equatable {
    public static let placeholder = "{user}"
    /// AWS refuses longer session policies.
    public static let maxLength = 2_048

    let parts: [String]

    /// Checks the template: a JSON object of at most 2048 characters.
    public init(_ template: String) throws(PolicyTemplateError) {
        guard template.utf8.count <= Self.maxLength else { throw .tooLong }
        let object = try? JSONSerialization.jsonObject(with: Data(template.utf8))
        guard object is [String: Any] else { throw .notJSONObject }
        parts = template.split(separator: Self.placeholder, omittingEmptySubsequences: false).map(String.init)
    }

    /// Whether the policy names the user.
    public var usesUser: Bool { parts.count > 1 }

    /// The policy for `user`. Throws `.notPermitted` for a user IAM would read as a pattern.
    public func render(user: String) throws(CredentialError) -> String {
        guard usesUser else { return parts[0] }
        // IAM reads * ? and ${…} as patterns, and a / would reach into another user's prefix
        // (home/alice/x/* lies inside home/alice/*): no escaping neutralises them.
        guard !user.isEmpty, !user.unicodeScalars.contains(where: { "*?$/".unicodeScalars.contains($0) }) else {
            throw CredentialError(.notPermitted,
                                  "the user name is empty or contains *, ?, $ or /, which cannot be placed in the S3 session policy safely")
        }
        return parts.joined(separator: Self.jsonEscaped(user))
    }

    /// `text` as the content of a JSON string: quotes, backslashes and control characters escaped.
    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                guard scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" else {
                    out.unicodeScalars.append(scalar)
                    continue
                }
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }
}

/// Why `credentials.s3.policy` was refused at start-up.
public enum PolicyTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLong
    case notJSONObject

    public var description: String {
        switch self {
        case .tooLong: return "must be at most \(PolicyTemplate.maxLength) characters"
        case .notJSONObject: return "must be a JSON object (a policy document), with {user} only inside strings"
        }
    }
}
