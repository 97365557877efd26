import Foundation

/// The URI subject alternative name of an issued certificate, from a template such as
/// `spiffe://patgate.local/user/{user}`. The user is percent-encoded (RFC 3986: everything but
/// unreserved characters), so a name such as `a/b?c,DNS:x` stays one path segment.
public struct SubjectURITemplate: Sendable, Equatable {
    public static let placeholder = "{user}"

    public let template: String

    /// Checks the template: an absolute URI (`scheme:`), `{user}` exactly once, and otherwise only
    /// characters a URI may hold (no spaces, quotes, angle brackets or non-ASCII).
    /// - Returns: `nil` with `problem` set when it is unusable.
    public init?(_ template: String, problem: inout String?) {
        let parts = template.components(separatedBy: Self.placeholder)
        guard parts.count == 2 else {
            problem = "must contain \(Self.placeholder) exactly once"
            return nil
        }
        let fixed = parts.joined()
        guard fixed.utf8.allSatisfy(Self.isURICharacter) else {
            problem = "may hold only URI characters (ASCII, no spaces, quotes, braces or angle brackets) besides \(Self.placeholder)"
            return nil
        }
        guard let colon = template.firstIndex(of: ":"), colon > template.startIndex,
            template[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }),
            template.first?.isLetter == true, !parts[0].isEmpty, parts[0].contains(":")
        else {
            problem = "must be an absolute URI with a scheme before \(Self.placeholder), e.g. spiffe://patgate.local/user/{user}"
            return nil
        }
        self.template = template
    }

    /// The URI for `user`.
    public func render(user: String) -> String {
        template.replacingOccurrences(of: Self.placeholder, with: Self.percentEncode(user))
    }

    /// RFC 3986 §2.3 unreserved characters stay, every other UTF-8 byte becomes `%XX`.
    public static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3986 unreserved, reserved and `%`.
    private static func isURICharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~:/?#[]@!$&'()*+,;=%".utf8.contains(byte)
        }
    }
}
