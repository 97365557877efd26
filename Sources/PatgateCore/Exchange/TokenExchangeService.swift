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
            let granted = try await validateAndGrant(request, client: client)
            var response = granted.response
            if issuesCredentials(granted.decision.scopes) {
                response.credentials = try await issueCredentials(granted, client: client, form: form, address: address)
            }
            observer?.exchanged(clientID: clientID, error: nil)
            return response
        } catch {
            observe(.failure(error), clientID: clientID)
            throw error
        }
    }

    /// The same exchange decided at once, without a wait: what `exchange` would answer (an
    /// error included) when the subject token's answer is remembered (`rememberedResult`) and
    /// no credentials can be asked for. `nil`, having counted nothing, when it needs a wait;
    /// the caller then runs `exchange`.
    public func exchangeAtOnce(form: FormBody, authorization: String?) -> Result<TokenResponse, OAuthError>? {
        guard case .decided(let answer) = begin(form: form, authorization: authorization) else { return nil }
        return answer
    }

    /// How far `begin` took an exchange.
    public enum Beginning: Sendable {
        /// Decided without a wait (a token, or any error found without one): what `exchange`
        /// would answer, counted.
        case decided(Result<TokenResponse, OAuthError>)
        /// The client is authenticated and the request read; the subject token's answer must
        /// be awaited: `finish` it. Nothing counted yet.
        case admitted(AdmittedExchange)
        /// It may issue credentials, whose audit needs the client's address: run `exchange`.
        /// Nothing counted.
        case needsAddress
    }

    /// An exchange `begin` admitted, for `finish`. It can issue no credentials.
    public struct AdmittedExchange: Sendable {
        fileprivate let client: OAuthClient
        fileprivate let request: TokenExchangeRequest
    }

    /// The exchange's steps that need no wait, once. The HTTP server answers `.decided` on the
    /// event loop and finishes `.admitted` there when the upstream has answered, so a cache
    /// miss is read, authenticated and parsed once (docs/ARCHITECTURE.md, "`POST /token`").
    public func begin(form: FormBody, authorization: String?) -> Beginning {
        var clientID: String?
        let answer: Result<TokenResponse, OAuthError>
        do throws(OAuthError) {
            let (client, request) = try admit(form: form, authorization: authorization, clientID: &clientID)
            // Without `scope`, the granted scopes (and so credentials) depend on the subject's.
            if !credentials.isEmpty && (request.scopes?.contains(CredentialBroker.scope) ?? true) { return .needsAddress }
            guard let result = validator.rememberedResult(request.subjectToken) else {
                return .admitted(AdmittedExchange(client: client, request: request))
            }
            answer = .success(try grant(request, client: client, result: result).response)
        } catch {
            answer = .failure(error)
        }
        observe(answer, clientID: clientID)
        return .decided(answer)
    }

    /// Validates an admitted exchange's subject token (the upstream call, or joining one in
    /// flight) and grants it: what `exchange` would answer, counted.
    public func finish(_ admitted: AdmittedExchange) async -> Result<TokenResponse, OAuthError> {
        let answer: Result<TokenResponse, OAuthError>
        do throws(OAuthError) {
            answer = .success(try await validateAndGrant(admitted.request, client: admitted.client).response)
        } catch {
            answer = .failure(error)
        }
        observe(answer, clientID: admitted.client.id)
        return answer
    }

    /// Counts an answer. A failure of a cancelled request is not counted: its client left while it
    /// waited (the HTTP server then cancels it), and what failed was the wait, not the exchange.
    private func observe(_ answer: Result<TokenResponse, OAuthError>, clientID: String?) {
        guard let observer else { return }
        if case .failure = answer, Task.isCancelled { return }
        switch answer {
        case .success: observer.exchanged(clientID: clientID, error: nil)
        case .failure(let error): observer.exchanged(clientID: clientID, error: error)
        }
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

    /// Validates the subject token (the upstream call, or joining one in flight) and grants;
    /// a validator that fails is `upstreamUnavailable` (the exchange fails closed).
    private func validateAndGrant(_ request: TokenExchangeRequest, client: OAuthClient) async throws(OAuthError) -> Granted {
        let result: ValidationResult
        do {
            result = try await validator.validate(request.subjectToken)
        } catch {
            throw OAuthError.upstreamUnavailable
        }
        return try grant(request, client: client, result: result)
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
