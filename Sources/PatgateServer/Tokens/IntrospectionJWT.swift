import Foundation
import JOSE
import JSON

/// The JWT form of an introspection answer (RFC 9701), for a resource server that asks with
/// `Accept: application/token-introspection+jwt`: a JWS signed with the active key, header
/// `typ: token-introspection+jwt`, claims `iss`, `aud` (the introspecting client), `iat` and
/// `token_introspection` holding the RFC 7662 answer. No `sub` and no `exp` (RFC 9701 §5
/// advises against both, so the answer cannot pass for an access token).
struct IntrospectionJWT: Sendable {
    static let mediaType = "application/token-introspection+jwt"
    static let type = "token-introspection+jwt"

    let signer: JWTSigner
    let issuerURL: String

    /// Signs with the active key (its algorithm is `introspection_signing_alg_values_supported`).
    init(keys: KeyRing, issuerURL: String) {
        signer = JWTSigner(key: keys.active, type: Self.type)
        self.issuerURL = issuerURL
    }

    /// Signs `answer` (an RFC 7662 JSON object) for the client `clientID`.
    func sign(_ answer: [UInt8], for clientID: String, now: Int64) throws -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("iss", issuerURL)
        json.field("aud", clientID)
        json.field("iat", now)
        json.key("token_introspection")
        json.raw(answer)
        json.endObject()
        return try signer.sign(payload: json.bytes)
    }

    /// Whether `accept` (an `Accept` header) names this media type with a quality above 0.
    static func isAccepted(_ accept: String?) -> Bool {
        // Every introspection asks; the usual `application/json` or `*/*` has no `+` and is
        // answered without parsing.
        guard let accept, accept.utf8.contains(UInt8(ascii: "+")) else { return false }
        return accept.split(separator: ",").contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == mediaType else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) }
            return (quality ?? 1) > 0
        }
    }
}
