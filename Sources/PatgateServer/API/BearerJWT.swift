import Foundation
import JOSE
import PatgateCore

/// A JWT access token minted by this gateway, presented to the management API: signature
/// by one of our keys (active or retired), `iss` ours, `exp` in the future, `nbf` passed.
struct BearerJWT {
    let subject: String
    let scopes: [String]

    private struct Claims: Decodable {
        let iss: String?
        let sub: String?
        let exp: Int64?
        let nbf: Int64?
        let scope: String?
    }

    static func claims(_ token: String, verifier: JWTVerifier, issuer: String, now: Int64) throws(Problem) -> BearerJWT {
        let invalid = Problem.unauthenticated("the bearer token is invalid, expired or revoked")
        guard let payload = verifier.verify(token),
              let claims = try? JSONDecoder().decode(Claims.self, from: Data(payload)),
              claims.iss == issuer, let subject = claims.sub, !subject.isEmpty,
              let exp = claims.exp, exp > now, (claims.nbf ?? now) <= now
        else { throw invalid }
        return BearerJWT(subject: subject, scopes: ScopeList.lenientSplit(claims.scope ?? ""))
    }
}
