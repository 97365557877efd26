import JOSE
import OpenSSL
import PatgateAdapters
import PatgateCore

/// The steps of the cache-hit exchange, each alone: sign per algorithm, JWT assembly, form
/// parsing, client authentication, cache lookup; and the whole exchange without HTTP. Plus the
/// parse of the built-in issuer's RFC 7662 answer and its PAT format check, which each cache miss pays.
struct HotPathBenchmarks {
    static let cacheLookupName = "cache lookup (hit)"
    static let exchangeName = "cache-hit exchange at once (form, client, cache, policy, ES256 mint, JSON; no HTTP)"
    static let pat = "pgat_" + String(repeating: "A", count: 27) + "000000"

    let synchronous: [(String, () throws -> Void)]
    private let minter: AccessTokenMinter
    private let clients: ClientAuthenticator
    private let basic: String
    private let body: [UInt8]

    init() throws {
        let subject = CacheMemory.identity(owner: "alice", index: 7)
        let body = Array(("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
            + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Apat&scope=openid"
            + "&subject_token=" + Self.pat).utf8)
        let secret = "s3cr3t-0123456789abcdefghijklmnopqrstuv"
        clients = ClientAuthenticator(clients: [OAuthClient(id: "ci", authentication: .secret(SecretDigest(hashing: secret)))])
        basic = "Basic " + Self.base64("ci:" + secret)
        self.body = body
        let es256 = try SigningKey.generate(.es256)
        minter = AccessTokenMinter(
            issuer: "http://127.0.0.1:8080", signer: JWTSigner(key: es256),
            claimCopy: try ClaimCopy(rules: [.init(from: "username", to: "preferred_username")]))
        let grant = AccessTokenMinter.Grant(
            subject: subject, clientID: "ci", scopes: ["openid"], audiences: ["patgate"],
            issuedAt: 1_800_000_000, lifetime: 600)
        let claims = minter.claims(grant, jti: "AAAAAAAAAAAAAAAAAAAAAA")
        var items: [(String, () throws -> Void)] = []
        for algorithm in SignatureAlgorithm.allCases {
            let signer = JWTSigner(key: try SigningKey.generate(algorithm))
            items.append(("sign \(algorithm.rawValue) (JWS)", { _ = try signer.sign(payload: claims) }))
        }
        let minter = minter, clients = clients, basic = basic
        items.append(("JWT claims (JSON, no signature)", { _ = minter.claims(grant, jti: "AAAAAAAAAAAAAAAAAAAAAA") }))
        items.append(("JWT mint ES256 (claims + jti + sign)", { _ = try minter.mint(grant) }))
        items.append(("jti (16 random bytes, base64url)", { _ = Base64URL.encode(try SecureRandom.identifierBytes(16)) }))
        items.append(("16 random bytes, RAND_bytes each time", { _ = try SecureRandom.bytes(16) }))
        items.append(("form parsing (exchange body)", { _ = try FormBody(parsing: body) }))
        let form = try FormBody(parsing: body)
        items.append(("client authentication (Basic, SHA-256)", {
            _ = try clients.authenticate(authorization: basic, form: form)
        }))
        items.append(("exchange request checks", { _ = try TokenExchangeRequest(form: form) }))
        let answer = IntrospectionResponse.active(
            PersonalAccessToken(id: "0123456789abcdef01234567", owner: "alice", name: "ci deploy",
                                scopes: ["openid", "profile"], createdAt: 1_800_000_000, expiresAt: 1_900_000_000),
            clientID: "pat")
        items.append(("introspection answer parse (cache miss)", {
            _ = try IntrospectionParser.parse(answer, now: 1_800_000_001)
        }))
        let format = PATFormat(prefix: "pgat")!
        let value = try format.generate()
        items.append(("PAT format check (the issuer's, twice per cache miss)", {
            guard format.isWellFormed(value) else { preconditionFailure("a generated PAT is well-formed") }
        }))
        synchronous = items
    }

    /// `validate` on a warm cache: HMAC of the PAT, one locked dictionary lookup.
    func cacheLookup(seconds: Double) async throws -> Measurement {
        let cache = try CachingTokenValidator(upstream: CacheMemory.Upstream(owners: 1), settings: CacheSettings(positiveTTL: 3600))
        _ = try await cache.validate(Self.pat)
        return try await Measurement.run(Self.cacheLookupName, seconds: seconds) { _ in
            for _ in 0..<64 { _ = try await cache.validate(Self.pat) }
        }
    }

    /// What the server's event loop does for a cache-hit `POST /token` once the request is read
    /// (`InlineExchangeHandler`): parse the form, `exchangeAtOnce`, the answer's JSON.
    func exchangeAtOnce(seconds: Double) async throws -> Measurement {
        let cache = try CachingTokenValidator(upstream: CacheMemory.Upstream(owners: 1), settings: CacheSettings(positiveTTL: 3600))
        _ = try await cache.validate(Self.pat)
        let exchange = TokenExchangeService(
            clients: clients, validator: cache, policy: ExchangePolicy(maxTokenLifetime: 600, defaultAudiences: ["patgate"]),
            minter: minter)
        let body = body, basic = basic
        return Measurement.run(Self.exchangeName, seconds: seconds) {
            let form = try FormBody(parsing: body)
            guard case .success(let response)? = exchange.exchangeAtOnce(form: form, authorization: basic) else {
                preconditionFailure("the benchmark's exchange is not decided at once")
            }
            _ = response.jsonBody
        }
    }

    static func base64(_ text: String) -> String {
        // Standard base64 with padding, as HTTP Basic uses it.
        let url = Base64URL.encode(Array(text.utf8))
        var standard = String(url.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return standard
    }
}
