import Foundation
import JOSE
import PatgateCore

/// A JWT access token minted by this gateway, presented to the management API: signature
/// by one of our keys (active or retired), `iss` ours, `aud` naming the management API (the
/// issuer URL or a default audience, never a token minted for another resource), `exp` in the
/// future, `nbf` passed.
struct BearerJWT {
    let subject: String
    let scopes: [String]
    /// The PAT the token was minted from (`pat_id`); `nil` for a token minted from another
    /// upstream's subject token.
    let patID: String?

    private struct Claims: Decodable {
        let iss: String?
        let aud: Audience?
        let sub: String?
        let exp: Int64?
        let nbf: Int64?
        let scope: String?
        let pat_id: String?
    }

    /// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
    private struct Audience: Decodable {
        let values: [String]
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                values = [one]
            } else {
                values = try container.decode([String].self)
            }
        }
    }

    static func claims(_ token: String, verifier: JWTVerifier, issuer: String, audiences: Set<String>,
                       now: Int64) throws(Problem) -> BearerJWT {
        let invalid = Problem.unauthenticated("the bearer token is invalid, expired or revoked")
        guard let payload = verifier.verify(token),
              let claims = try? JSONDecoder().decode(Claims.self, from: Data(payload)),
              claims.iss == issuer, let subject = claims.sub, !subject.isEmpty,
              claims.aud?.values.contains(where: audiences.contains) == true,
              let exp = claims.exp, exp > now, (claims.nbf ?? now) <= now
        else { throw invalid }
        return BearerJWT(subject: subject, scopes: ScopeList.lenientSplit(claims.scope ?? ""), patID: claims.pat_id)
    }
}
