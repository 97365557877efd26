import JSON
import JOSE
import OpenSSL

/// Builds and signs RFC 9068 JWT access tokens (`typ: at+jwt`).
public struct AccessTokenMinter: Sendable {
    public let issuer: String
    public let signer: JWTSigner
    public let claimCopy: ClaimCopy

    public init(issuer: String, signer: JWTSigner, claimCopy: ClaimCopy = .none) {
        self.issuer = issuer
        self.signer = signer
        self.claimCopy = claimCopy
    }

    /// The claims of one access token, before signing.
    public struct Grant: Sendable {
        public var subject: SubjectIdentity
        public var clientID: String
        public var scopes: [String]
        public var audiences: [String]
        public var issuedAt: Int64
        public var lifetime: Int64

        public init(subject: SubjectIdentity, clientID: String, scopes: [String], audiences: [String],
                    issuedAt: Int64, lifetime: Int64) {
            self.subject = subject
            self.clientID = clientID
            self.scopes = scopes
            self.audiences = audiences
            self.issuedAt = issuedAt
            self.lifetime = lifetime
        }
    }

    public func mint(_ grant: Grant) throws -> String {
        try signer.sign(payload: claims(grant, jti: try Self.newJTI()))
    }

    /// The JSON claims set; `aud` is a string for one audience and an array for several.
    public func claims(_ grant: Grant, jti: String) -> [UInt8] {
        var json = JSONWriter(capacity: 384)
        json.beginObject()
        json.field("iss", issuer)
        json.field("sub", grant.subject.subject)
        json.key("aud")
        if grant.audiences.count == 1 {
            json.value(grant.audiences[0])
        } else {
            json.beginArray()
            for audience in grant.audiences { json.value(audience) }
            json.endArray()
        }
        json.field("exp", grant.issuedAt + grant.lifetime)
        json.field("iat", grant.issuedAt)
        json.field("nbf", grant.issuedAt)
        json.field("jti", jti)
        json.field("client_id", grant.clientID)
        json.field("scope", ScopeList.join(grant.scopes))
        // The PAT this token came from (its id, never its value): what revocation names.
        if let tokenID = grant.subject.tokenID { json.field("pat_id", tokenID) }
        for claim in claimCopy.claims(for: grant.subject) {
            json.key(claim.name)
            json.value(claim.value)
        }
        json.endObject()
        return json.bytes
    }

    /// 128 random bits, base64url.
    static func newJTI() throws -> String {
        Base64URL.encode(try SecureRandom.identifierBytes(16))
    }
}
