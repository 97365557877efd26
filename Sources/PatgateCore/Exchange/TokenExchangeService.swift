/// The RFC 8693 token exchange: authenticate the client, validate the subject token,
/// apply the policy, mint the JWT. Every failure is an `OAuthError`.
public struct TokenExchangeService: Sendable {
    public let clients: ClientAuthenticator
    public let validator: any SubjectTokenValidator
    public let policy: ExchangePolicy
    public let minter: AccessTokenMinter
    /// Called only when the granted scopes include `credentials`.
    public let credentials: CredentialBroker
    /// Counts results and signing times; `nil` when metrics are off (no clock is read then).
    public let observer: (any ExchangeObserver)?
    private let now: @Sendable () -> Int64

    public init(
        clients: ClientAuthenticator, validator: any SubjectTokenValidator, policy: ExchangePolicy,
        minter: AccessTokenMinter, credentials: CredentialBroker = .none, observer: (any ExchangeObserver)? = nil,
        now: @escaping @Sendable () -> Int64 = UnixTime.now
    ) {
        self.clients = clients
        self.validator = validator
        self.policy = policy
        self.minter = minter
        self.credentials = credentials
        self.observer = observer
        self.now = now
    }

    /// Handles one `POST /token` body. `authorization` is the raw `Authorization` header;
    /// `address` the client's, for the audit log of issued credentials.
    public func exchange(form: FormBody, authorization: String?, address: String? = nil) async throws(OAuthError) -> TokenResponse {
        var clientID: String?
        do {
            let response = try await perform(form: form, authorization: authorization, address: address, clientID: &clientID)
            observer?.exchanged(clientID: clientID, error: nil)
            return response
        } catch {
            observer?.exchanged(clientID: clientID, error: error)
            throw error
        }
    }

    /// `clientID` learns the client's id once it authenticated.
    private func perform(form: FormBody, authorization: String?, address: String?,
                         clientID: inout String?) async throws(OAuthError) -> TokenResponse {
        let client = try clients.authenticate(authorization: authorization, form: form)
        clientID = client.id
        guard client.grants.contains(.tokenExchange) else {
            throw OAuthError(.unauthorizedClient, "this client may not use the token-exchange grant")
        }
        let request = try TokenExchangeRequest(form: form)

        let result: ValidationResult
        do {
            result = try await validator.validate(request.subjectToken)
        } catch {
            throw .upstreamUnavailable
        }
        guard case .active(let subject) = result else {
            throw .invalidRequest("the subject token is invalid, expired or revoked")
        }

        let issuedAt = now()
        let decision = try policy.decide(request, client: client, subject: subject, now: issuedAt)
        let grant = AccessTokenMinter.Grant(
            subject: subject, clientID: client.id, scopes: decision.scopes,
            audiences: decision.audiences, issuedAt: issuedAt, lifetime: decision.lifetime)
        let token: String
        do {
            if let observer, observer.timesSigning {
                let started = ContinuousClock.now
                token = try minter.mint(grant)
                let elapsed = ContinuousClock.now - started
                observer.signed(nanoseconds: elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
            } else {
                token = try minter.mint(grant)
            }
        } catch {
            throw OAuthError(.temporarilyUnavailable, "the token could not be signed; try again later")
        }
        var response = TokenResponse(
            accessToken: token, issuedTokenType: request.requestedTokenType,
            expiresIn: decision.lifetime, scopes: decision.scopes)
        if !credentials.isEmpty && decision.scopes.contains(CredentialBroker.scope) {
            let credentialRequest = CredentialRequest(
                subject: subject, clientID: client.id, audiences: decision.audiences, scopes: decision.scopes,
                accessToken: token, issuedAt: issuedAt,
                tokenExpiresAt: issuedAt + decision.lifetime, notAfter: subject.expiresAt, form: form, address: address)
            do {
                response.credentials = try await credentials.issue(credentialRequest)
            } catch {
                throw error.oauthError
            }
        }
        return response
    }
}
