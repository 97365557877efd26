import Foundation
import PatgateAdapters
import PatgateCore
import PatgateServer
import Testing

/// A logged-in console session, as a browser holds it: the cookie and the CSRF token.
struct APISession {
    let cookie: String
    let csrf: String
    var headers: [(name: String, value: String)] { [("Cookie", cookie), ("X-CSRF-Token", csrf)] }
    var cookieOnly: [(name: String, value: String)] { [("Cookie", cookie)] }
}

extension LiveServer {
    /// A live server with cheap bcrypt (cost 4) so login-heavy tests stay fast, for `body`'s scope.
    static func withAPI<Result>(_ environment: [String: String] = [:],
                                _ body: (LiveServer) async throws -> Result) async throws -> Result {
        try await with(environment: ["PATGATE_USERS_BCRYPT_COST": "4"].merging(environment) { $1 }, body)
    }

    var management: Components.Management {
        get throws { try #require(components.management) }
    }

    static let cliActor = Principal(username: "test", role: .admin, method: .cli, address: nil)

    @discardableResult
    func addUser(_ name: String, password: String = "password-123", role: User.Role = .user) async throws -> User {
        try await management.accounts.add(username: name, displayName: nil, role: role, password: password, by: Self.cliActor).user
    }

    /// Makes `name` an existing, enabled user (with no password that logs in) unless it is one,
    /// for tests that create PATs with the issuer directly: PATs are only made for users.
    func ensureUser(_ name: String) async throws {
        let users = try management.stores.users
        guard try await users.find(username: name) == nil else { return }
        do {
            try await users.insert(User(username: name, displayName: name, role: .user, passwordHash: "!", createdAt: UnixTime.now()))
        } catch let error as UserError where error.code == .duplicate {}
    }

    /// One API call; `json` is sent as `application/json`.
    func api(_ method: String, _ path: String, json: String? = nil,
             headers: [(name: String, value: String)] = []) async throws -> CurlResponse {
        var all = headers
        if json != nil { all.append(("Content-Type", "application/json")) }
        return try await http.perform(CurlRequest(method: method, url: base + path, headers: all, body: Array((json ?? "").utf8)))
    }

    func login(_ name: String, password: String = "password-123") async throws -> APISession {
        let response = try await api("POST", "/api/v1/session", json: #"{"username":"\#(name)","password":"\#(password)"}"#)
        try #require(response.status == 200, "login of \(name): \(String(decoding: response.body, as: UTF8.self))")
        let setCookie = try #require(response.header("Set-Cookie"))
        let cookie = String(setCookie.split(separator: ";")[0])
        let csrf = try #require(try json(response)["csrf_token"] as? String)
        return APISession(cookie: cookie, csrf: csrf)
    }

    /// Creates a PAT through the API; returns its JSON.
    func createToken(_ session: APISession, name: String = "t-\(UUID().uuidString.prefix(8))",
                     scopes: [String] = ["openid"], extra: String = "") async throws -> [String: Any] {
        let scopeList = scopes.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try await api("POST", "/api/v1/tokens", json: #"{"name":"\#(name)","scopes":[\#(scopeList)]\#(extra)}"#,
                                     headers: session.headers)
        try #require(response.status == 201, "create: \(String(decoding: response.body, as: UTF8.self))")
        return try json(response)
    }

    func problemCode(_ response: CurlResponse) throws -> String? {
        #expect(response.header("Content-Type") == "application/problem+json")
        return try json(response)["code"] as? String
    }

    /// Exchanges a PAT at `/token` with the public client `cli`.
    func exchange(_ pat: String, scope: String? = nil) async throws -> CurlResponse {
        try await post("/token", TokenEndpointTests.grant + "&client_id=cli&subject_token=\(pat)" + (scope.map { "&scope=\($0)" } ?? ""))
    }
}
