/// Authenticates the caller of an OAuth endpoint (RFC 6749 §2.3): `client_secret_basic`,
/// `client_secret_post`, or a public client that sends only `client_id`.
///
/// A client must use exactly one method; failures are `invalid_client` without saying
/// whether the id or the secret was wrong.
public struct ClientAuthenticator: Sendable {
    private let clients: [String: OAuthClient]

    public init(clients: [OAuthClient]) {
        self.clients = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func client(id: String) -> OAuthClient? { clients[id] }

    public func authenticate(authorization: String?, form: FormBody) throws(OAuthError) -> OAuthClient {
        let formID = try form.single("client_id")
        let formSecret = try form.single("client_secret")

        if let authorization, let basic = try Self.basicCredentials(authorization) {
            if formSecret != nil {
                throw .invalidRequest("use one client authentication method, not several")
            }
            if let formID, formID != basic.id {
                throw .invalidRequest("client_id does not match the Authorization header")
            }
            return try verify(id: basic.id, secret: basic.secret.isEmpty ? nil : basic.secret)
        }
        guard let formID else {
            throw OAuthError(.invalidClient, "client authentication is required")
        }
        return try verify(id: formID, secret: formSecret)
    }

    private func verify(id: String, secret: String?) throws(OAuthError) -> OAuthClient {
        let failure = OAuthError(.invalidClient, "client authentication failed")
        guard let client = clients[id] else { throw failure }
        switch (client.authentication, secret) {
        case (.none, nil):
            return client
        case (.secret(let digest), let secret?) where digest.matches(secret):
            return client
        default:
            throw failure
        }
    }

    /// Decodes `Basic base64(urlencode(id):urlencode(secret))`; `nil` for other schemes.
    static func basicCredentials(_ header: String) throws(OAuthError) -> (id: String, secret: String)? {
        let malformed = OAuthError(.invalidClient, "malformed Basic credentials")
        let parts: (user: ArraySlice<UInt8>, password: ArraySlice<UInt8>)?
        do {
            parts = try BasicAuthorization.decode(header)
        } catch {
            throw malformed
        }
        guard let parts else { return nil }
        do {
            let id = try FormBody.decode(parts.user)
            let secret = try FormBody.decode(parts.password)
            guard !id.isEmpty else { throw malformed }
            return (id, secret)
        } catch {
            throw malformed
        }
    }
}
