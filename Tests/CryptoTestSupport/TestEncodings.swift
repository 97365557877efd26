import Foundation

/// Independent base64url decoding (Foundation), so cross-checks do not trust `Base64URL`.
package func foundationBase64URLDecode(_ text: some StringProtocol) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
}

extension String {
    /// The base64 body lines of a PEM (no BEGIN/END lines), to check that errors never echo them.
    package var pemBodyLines: [String] {
        split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") && !$0.isEmpty && !$0.contains(":") }
    }
}
