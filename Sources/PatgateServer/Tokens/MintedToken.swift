import Foundation
import JOSE
import JSON
import PatgateCore

/// A JWT access token this gateway minted (RFC 9068), as far as the token itself can tell:
/// signed by one of our keys (active or retired), `iss` ours, a subject, `exp` ahead and
/// `nbf` passed. Whether the PAT it came from still stands is `MintedTokenCheck`'s question;
/// whether its audience fits is the caller's (the management API checks it, `/introspect`
/// reports it).
struct MintedToken: Sendable {
    let issuer: String
    let subject: String
    let audiences: [String]
    let scope: String?
    let clientID: String?
    let expiresAt: Int64
    let issuedAt: Int64?
    let notBefore: Int64?
    let jwtID: String?
    /// The PAT the token was minted from; `nil` for a token minted from another upstream's
    /// subject token.
    let patID: String?

    var scopes: [String] { ScopeList.lenientSplit(scope ?? "") }

    private struct Claims: Decodable {
        let iss: String?
        let aud: Audience?
        let sub: String?
        let exp: Int64?
        let iat: Int64?
        let nbf: Int64?
        let jti: String?
        let scope: String?
        let client_id: String?
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

    /// The token's claims when `token` is a live JWT of ours at `now`; `nil` for anything
    /// else (a PAT, a foreign or tampered JWT, an expired one).
    static func verify(_ token: String, verifier: JWTVerifier, issuer: String, now: Int64) -> MintedToken? {
        guard let payload = verifier.verify(token),
              let claims = try? JSONDecoder().decode(Claims.self, from: Data(payload)),
              claims.iss == issuer, let subject = claims.sub, !subject.isEmpty,
              let exp = claims.exp, exp > now, (claims.nbf ?? now) <= now
        else { return nil }
        return MintedToken(issuer: issuer, subject: subject, audiences: claims.aud?.values ?? [], scope: claims.scope,
                           clientID: claims.client_id, expiresAt: exp, issuedAt: claims.iat, notBefore: claims.nbf,
                           jwtID: claims.jti, patID: claims.pat_id)
    }

    /// The RFC 7662 §2.2 answer for this token while it is active. `pat_id` names the PAT it
    /// came from: a gateway that sees it knows the token is no PAT and refuses to exchange it.
    func introspectionResponse() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("active", true)
        json.member("scope", scope)
        json.member("client_id", clientID)
        json.field("username", subject)
        json.field("token_type", "Bearer")
        json.field("exp", expiresAt)
        if let issuedAt { json.field("iat", issuedAt) }
        if let notBefore { json.field("nbf", notBefore) }
        json.field("sub", subject)
        if audiences.count == 1 {
            json.field("aud", audiences[0])
        } else if !audiences.isEmpty {
            json.key("aud")
            json.beginArray()
            for audience in audiences { json.value(audience) }
            json.endArray()
        }
        json.field("iss", issuer)
        json.member("jti", jwtID)
        json.member("pat_id", patID)
        json.endObject()
        return json.bytes
    }
}
