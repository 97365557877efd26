import HTTPTypes
import Hummingbird
import JSON
import PatgateCore

/// `/api/v1/session`: console login (POST), who am I (GET), logout (DELETE).
struct SessionRoutes {
    let accounts: AccountService
    let sessions: SessionService
    let auth: APIAuthenticator
    let issuerURL: String
    let secureCookies: Bool
    let maxBodyBytes: Int

    private struct Login: APIRequestBody {
        enum CodingKeys: String, CodingKey, CaseIterable { case username, password }
        typealias Member = CodingKeys
        let username: String
        let password: String
    }

    func register(on api: RouterGroup<PatgateRequestContext>) {
        api.post("session") { request, context in
            await APIHandler.run(context) { try await login(request, context) }
        }
        api.get("session") { request, context in
            await APIHandler.run(context) {
                guard let cookie = request.cookies[APIAuthenticator.cookieName]?.value,
                      let (session, user) = try await sessions.resolve(cookie: cookie)
                else { throw Problem.unauthenticated("no session; log in with POST /api/v1/session") }
                return APIHandler.json(Self.body(user, csrf: session.csrfToken))
            }
        }
        api.delete("session") { request, context in
            await APIHandler.run(context) {
                guard let cookie = request.cookies[APIAuthenticator.cookieName]?.value else {
                    throw Problem.unauthenticated("no session to end")
                }
                _ = try await auth.authenticate(request, context)
                try await sessions.close(cookie: cookie, address: context.clientAddress)
                var headers = HTTPFields()
                headers[.setCookie] = self.cookie(value: "", maxAge: 0)
                return APIHandler.noContent(headers: headers)
            }
        }
    }

    private func login(_ request: Request, _ context: PatgateRequestContext) async throws -> Response {
        try CrossSiteCheck.check(request, issuerURL: issuerURL)
        let body = try await APIBody.decode(Login.self, from: request, maxBytes: maxBodyBytes)
        let user = try await accounts.login(username: body.username, password: body.password,
                                                       address: context.clientAddress)
        let (cookie, session) = try await sessions.open(for: user, address: context.clientAddress)
        var response = APIHandler.json(Self.body(user, csrf: session.csrfToken))
        response.headers[.setCookie] = self.cookie(value: cookie, maxAge: sessions.absoluteTimeout)
        return response
    }

    /// `HttpOnly; SameSite=Strict; Path=/`, and `Secure` when the issuer URL is https.
    func cookie(value: String, maxAge: Int64) -> String {
        "\(APIAuthenticator.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
            + (secureCookies ? "; Secure" : "")
    }

    static func body(_ user: User, csrf: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("user")
        APIViews.user(user, into: &json)
        json.field("csrf_token", csrf)
        json.endObject()
        return json.bytes
    }
}
