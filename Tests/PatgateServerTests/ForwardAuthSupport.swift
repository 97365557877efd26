import Foundation
import JOSE
import OpenSSL
import PatgateAdapters
import PatgateCore
import PatgateServer
import Testing

/// A live server with forward auth on: `orders` (GET/POST under `/orders` of api.example.com,
/// audience `orders-api`, scope `openid`) and `admin` (under `/admin`, scope `tokens`), for the
/// `ci` client, with `X-API-Key` as a credential header.
extension LiveServer {
    static let authz = [
        "PATGATE_CLIENTS_CI_AUDIENCES": "patgate,orders-api",
        "PATGATE_AUTHZ_CLIENT": "ci",
        "PATGATE_AUTHZ_CREDENTIAL_HEADER": "X-API-Key",
        "PATGATE_AUTHZ_ROUTES_IDS": "orders,admin",
        "PATGATE_AUTHZ_ROUTES_ORDERS_HOST": "api.example.com",
        "PATGATE_AUTHZ_ROUTES_ORDERS_PATH_PREFIX": "/orders",
        "PATGATE_AUTHZ_ROUTES_ORDERS_METHODS": "GET,POST",
        "PATGATE_AUTHZ_ROUTES_ORDERS_AUDIENCE": "orders-api",
        "PATGATE_AUTHZ_ROUTES_ORDERS_SCOPES": "openid",
        "PATGATE_AUTHZ_ROUTES_ADMIN_PATH_PREFIX": "/admin",
        "PATGATE_AUTHZ_ROUTES_ADMIN_AUDIENCE": "orders-api",
        "PATGATE_AUTHZ_ROUTES_ADMIN_SCOPES": "tokens",
        "PATGATE_CACHE_TTL_SECONDS": "600",
    ]

    static func withForwardAuth<Result>(_ environment: [String: String] = [:],
                                        _ body: (LiveServer) async throws -> Result) async throws -> Result {
        try await withAPI(authz.merging(environment) { $1 }, body)
    }

    /// A PAT of `user` with `scopes`, made by the built-in issuer: (its id, its value).
    func pat(_ user: String = "alice", scopes: [String] = ["openid"]) async throws -> (id: String, value: String) {
        try await ensureUser(user)
        let (token, value) = try await #require(components.issuer).create(owner: user, name: "fa-\(UUID().uuidString.prefix(6))",
                                                                          scopes: scopes, expiresIn: nil)
        return (token.id, value)
    }

    /// nginx's convention: `X-Original-URL` and `X-Original-Method`.
    func authRequest(_ url: String, method: String = "GET", _ headers: [(name: String, value: String)]) async throws -> CurlResponse {
        try await http.perform(CurlRequest(method: "GET", url: base + "/authz/auth-request",
                                           headers: [("X-Original-URL", url), ("X-Original-Method", method)] + headers))
    }

    /// The claims of a JWT that verifies against this server's published keys.
    func verifiedClaims(_ jwt: String) throws -> [String: Any] {
        let payload = try #require(JWTVerifier(keys: components.keys.published).verify(jwt))
        return try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
    }

    func auditText() throws -> String {
        components.auditWriter?.flush()
        return try String(contentsOfFile: config.auditPath, encoding: .utf8)
    }
}

/// A bearer value from a 200 answer's `Authorization`.
func bearer(_ response: CurlResponse) throws -> String {
    let value = try #require(response.header("Authorization"))
    #expect(value.hasPrefix("Bearer "))
    return String(value.dropFirst("Bearer ".count))
}

func basicHeader(_ user: String, _ password: String) -> (name: String, value: String) {
    ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
}
