import Hummingbird
import JSON
import PatgateCore

/// `/api/v1/tokens` (the caller's own PATs) and `/api/v1/scopes`.
struct TokenAPIRoutes {
    let tokens: TokenManagement
    let auth: APIAuthenticator
    let maxBodyBytes: Int

    private struct Create: APIRequestBody {
        enum CodingKeys: String, CodingKey, CaseIterable { case name, scopes, expires_at, expires_in }
        typealias Member = CodingKeys
        let name: String
        let scopes: [String]?
        let expires_at: String?
        let expires_in: Int64?
    }

    private var now: Int64 { tokens.issuer.currentTime() }

    func register(on api: RouterGroup<PatgateRequestContext>) {
        api.get("scopes") { request, context in
            await APIHandler.run(context) {
                _ = try await auth.authenticate(request, context)
                return APIHandler.json(scopesBody())
            }
        }
        api.post("tokens") { request, context in
            await APIHandler.run(context) {
                let principal = try await auth.authenticate(request, context)
                let body = try await APIBody.decode(Create.self, from: request, maxBytes: maxBodyBytes)
                let created = try await tokens.create(try Self.request(body), by: principal)
                return APIHandler.json(APIViews.token(created.token, now: now, value: created.value), status: .created)
            }
        }
        api.get("tokens") { request, context in
            await APIHandler.run(context) {
                let principal = try await auth.authenticate(request, context)
                let query = try PageParameters(request)
                let page = try await tokens.page(owner: principal.username, state: query.state, limit: query.limit, cursor: query.cursor)
                return APIHandler.json(APIViews.page(page, now: now))
            }
        }
        api.get("tokens/{id}") { request, context in
            await APIHandler.run(context) {
                let principal = try await auth.authenticate(request, context)
                let id = context.parameters.get("id") ?? ""
                let token = try await tokens.token(id, for: principal)
                // DELETE removed it from here (HTTP's DELETE); the list keeps it under state=revoked.
                guard token.revokedAt == nil else { throw PATError(.notFound, "no token with id '\(id)' (it was revoked)") }
                return APIHandler.json(APIViews.token(token, now: now))
            }
        }
        api.delete("tokens/{id}") { request, context in
            await APIHandler.run(context) {
                let principal = try await auth.authenticate(request, context)
                try await tokens.revoke(context.parameters.get("id") ?? "", by: principal)
                return APIHandler.noContent()
            }
        }
        api.post("tokens/{id}/rotate") { request, context in
            await APIHandler.run(context) {
                let principal = try await auth.authenticate(request, context)
                let rotated = try await tokens.rotate(context.parameters.get("id") ?? "", by: principal)
                return APIHandler.json(APIViews.token(rotated.token, now: now, value: rotated.value), status: .created)
            }
        }
    }

    private static func request(_ body: Create) throws(Problem) -> TokenManagement.Request {
        var expiresAt: Int64?
        if let text = body.expires_at {
            guard let parsed = RFC3339.parse(text) else {
                throw Problem(400, "invalid_expiry", "Invalid token request", "expires_at must be an RFC 3339 time such as 2026-11-29T03:00:00Z")
            }
            expiresAt = parsed
        }
        return TokenManagement.Request(name: body.name, scopes: body.scopes ?? [], expiresAt: expiresAt, expiresIn: body.expires_in)
    }

    private func scopesBody() -> [UInt8] {
        let policy = tokens.policy
        var json = JSONWriter()
        json.beginObject()
        json.key("scopes")
        APIViews.strings(tokens.issuer.scopeCatalogue, &json)
        json.key("policy")
        json.beginObject()
        for (name, value) in [("max_lifetime_seconds", policy.maxLifetime), ("default_lifetime_seconds", policy.defaultLifetime)] {
            json.key(name)
            if let value { json.value(value) } else { json.null() }
        }
        json.field("expiry_required", policy.expiryRequired || policy.maxLifetime != nil)
        json.endObject()
        json.endObject()
        return json.bytes
    }
}
