import Foundation
import JOSE

/// Independent base64url decoding (Foundation), so cross-checks do not trust `Base64URL`.
func foundationBase64URLDecode(_ text: some StringProtocol) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
}

/// The three parts of a compact JWS, decoded with Foundation.
struct CompactParts {
    let header: [String: String]
    let payload: Data
    let signature: Data
    let signingInput: Data

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let header = foundationBase64URLDecode(parts[0]),
            let payload = foundationBase64URLDecode(parts[1]),
            let signature = foundationBase64URLDecode(parts[2]),
            let object = try JSONSerialization.jsonObject(with: header) as? [String: String]
        else { throw OpenSSLCLI.Failure(description: "not a compact JWS with a string-valued header") }
        self.header = object
        self.payload = payload
        self.signature = signature
        self.signingInput = Data((parts[0] + "." + parts[1]).utf8)
    }
}

extension String {
    /// The base64 body lines of a PEM (no BEGIN/END lines), to check that errors never echo them.
    var pemBodyLines: [String] {
        split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") && !$0.isEmpty && !$0.contains(":") }
    }
}

/// One generated key per algorithm, shared by tests that do not need a fresh key
/// (RSA generation dominates the suite's run time otherwise).
enum SharedKeys {
    static let all: [SignatureAlgorithm: SigningKey] = Dictionary(
        uniqueKeysWithValues: SignatureAlgorithm.allCases.compactMap { algorithm in
            (try? SigningKey.generate(algorithm)).map { (algorithm, $0) }
        })

    static func key(_ algorithm: SignatureAlgorithm) throws -> SigningKey {
        guard let key = all[algorithm] else { throw OpenSSLCLI.Failure(description: "no shared \(algorithm) key") }
        return key
    }
}
