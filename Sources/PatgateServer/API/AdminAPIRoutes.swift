import Hummingbird
import JSON
import PatgateCore

/// `/api/v1/admin/…`: every owner's tokens and the local accounts, for administrators.
struct AdminAPIRoutes {
    let tokens: TokenManagement
    let accounts: AccountService
    let auth: APIAuthenticator
    let maxBodyBytes: Int

    private struct NewUser: APIRequestBody {
        enum CodingKeys: String, CodingKey, CaseIterable { case username, display_name, role, password }
        typealias Member = CodingKeys
        let username: String
        let display_name: String?
        let role: String?
        let password: String?
    }

    private struct Change: APIRequestBody {
        enum CodingKeys: String, CodingKey, CaseIterable { case display_name, role, disabled }
        typealias Member = CodingKeys
        let display_name: String?
        let role: String?
        let disabled: Bool?
    }

    private var now: Int64 { tokens.issuer.currentTime() }

    func register(on api: RouterGroup<PatgateRequestContext>) {
        api.get("admin/tokens") { request, context in
            await APIHandler.run(context) {
                _ = try await auth.authenticate(request, context, admin: true)
                let query = try PageParameters(request)
                let owner = request.uri.queryParameters.get("owner").flatMap { $0.isEmpty ? nil : $0 }
                let page = try await tokens.page(owner: owner, state: query.state, limit: query.limit, cursor: query.cursor)
                return APIHandler.json(APIViews.page(page, now: now))
            }
        }
        api.delete("admin/tokens/{id}") { request, context in
            await APIHandler.run(context) {
                let principal = try await auth.authenticate(request, context, admin: true)
                try await tokens.revoke(context.parameters.get("id") ?? "", by: principal, asAdmin: true)
                return APIHandler.noContent()
            }
        }
        api.get("admin/users") { request, context in
            await APIHandler.run(context) {
                _ = try await auth.authenticate(request, context, admin: true)
                var json = JSONWriter()
                json.beginObject()
                json.key("items")
                json.beginArray()
                for user in try await accounts.list() { APIViews.user(user, full: true, into: &json) }
                json.endArray()
                json.endObject()
                return APIHandler.json(json.bytes)
            }
        }
        api.post("admin/users") { request, context in
            await APIHandler.run(context) {
                let principal = try await auth.authenticate(request, context, admin: true)
                let body = try await APIBody.decode(NewUser.self, from: request, maxBytes: maxBodyBytes)
                let (user, generated) = try await accounts.add(
                    username: body.username, displayName: body.display_name, role: try Self.role(body.role) ?? .user,
                    password: body.password, by: principal)
                var json = JSONWriter()
                json.beginObject()
                json.key("user")
                APIViews.user(user, full: true, into: &json)
                if let generated { json.field("password", generated) }
                json.endObject()
                return APIHandler.json(json.bytes, status: .created)
            }
        }
        api.patch("admin/users/{username}") { request, context in
            await APIHandler.run(context) {
                let principal = try await auth.authenticate(request, context, admin: true)
                let body = try await APIBody.decode(Change.self, from: request, maxBytes: maxBodyBytes)
                let user = try await accounts.update(
                    username: context.parameters.get("username") ?? "", displayName: body.display_name,
                    role: try Self.role(body.role), disabled: body.disabled, by: principal)
                var json = JSONWriter()
                APIViews.user(user, full: true, into: &json)
                return APIHandler.json(json.bytes)
            }
        }
    }

    private static func role(_ text: String?) throws(Problem) -> User.Role? {
        guard let text else { return nil }
        guard let role = User.Role(rawValue: text) else { throw .badRequest("role must be user or admin", code: "invalid_user") }
        return role
    }
}
