import CryptoTestSupport
import Foundation
import JOSE
import OpenSSL

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
