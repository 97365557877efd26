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
        do throws(OAuthError) {
            let (client, request) = try admit(form: form, authorization: authorization, clientID: &clientID)
            let result: ValidationResult
            do {
                result = try await validator.validate(request.subjectToken)
            } catch {
                throw OAuthError.upstreamUnavailable
            }
            let granted = try grant(request, client: client, result: result)
            var response = granted.response
            if issuesCredentials(granted.decision.scopes) {
                response.credentials = try await issueCredentials(granted, client: client, form: form, address: address)
            }
            observer?.exchanged(clientID: clientID, error: nil)
            return response
        } catch {
            observer?.exchanged(clientID: clientID, error: error)
            throw error
        }
    }

    /// The same exchange decided at once, without a wait: what `exchange` would answer (an
    /// error included) when the subject token's answer is remembered (`rememberedResult`) and
    /// no credentials can be asked for. `nil`, having counted nothing, when it needs a wait;
    /// the caller then runs `exchange`. The HTTP server answers cache hits this way on the
    /// event loop (docs/ARCHITECTURE.md, "`POST /token`").
    public func exchangeAtOnce(form: FormBody, authorization: String?) -> Result<TokenResponse, OAuthError>? {
        var clientID: String?
        let answer: Result<TokenResponse, OAuthError>
        do throws(OAuthError) {
            let (client, request) = try admit(form: form, authorization: authorization, clientID: &clientID)
            // Without `scope`, the granted scopes (and so credentials) depend on the subject's.
            if !credentials.isEmpty && (request.scopes?.contains(CredentialBroker.scope) ?? true) { return nil }
            guard let result = validator.rememberedResult(request.subjectToken) else { return nil }
            answer = .success(try grant(request, client: client, result: result).response)
        } catch {
            answer = .failure(error)
        }
        if let observer {
            switch answer {
            case .success: observer.exchanged(clientID: clientID, error: nil)
            case .failure(let error): observer.exchanged(clientID: clientID, error: error)
            }
        }
        return answer
    }

    /// What `grant` decided and minted, with what the credential request needs.
    private struct Granted {
        let response: TokenResponse
        let subject: SubjectIdentity
        let decision: ExchangePolicy.Decision
        let issuedAt: Int64
    }

    /// Authenticates the client and reads the request; `clientID` learns the client's id once
    /// it authenticated.
    private func admit(form: FormBody, authorization: String?,
                       clientID: inout String?) throws(OAuthError) -> (OAuthClient, TokenExchangeRequest) {
        let client = try clients.authenticate(authorization: authorization, form: form)
        clientID = client.id
        guard client.grants.contains(.tokenExchange) else {
            throw OAuthError(.unauthorizedClient, "this client may not use the token-exchange grant")
        }
        return (client, try TokenExchangeRequest(form: form))
    }

    /// Applies the policy to a validated subject and mints the JWT.
    private func grant(_ request: TokenExchangeRequest, client: OAuthClient, result: ValidationResult) throws(OAuthError) -> Granted {
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
        let response = TokenResponse(
            accessToken: token, issuedTokenType: request.requestedTokenType,
            expiresIn: decision.lifetime, scopes: decision.scopes)
        return Granted(response: response, subject: subject, decision: decision, issuedAt: issuedAt)
    }

    private func issuesCredentials(_ scopes: [String]) -> Bool {
        !credentials.isEmpty && scopes.contains(CredentialBroker.scope)
    }

    private func issueCredentials(_ granted: Granted, client: OAuthClient, form: FormBody,
                                  address: String?) async throws(OAuthError) -> [CredentialField] {
        let decision = granted.decision
        let request = CredentialRequest(
            subject: granted.subject, clientID: client.id, audiences: decision.audiences, scopes: decision.scopes,
            accessToken: granted.response.accessToken, issuedAt: granted.issuedAt,
            tokenExpiresAt: granted.issuedAt + decision.lifetime, notAfter: granted.subject.expiresAt,
            form: form, address: address)
        do {
            return try await credentials.issue(request)
        } catch {
            throw error.oauthError
        }
    }
}
