import Foundation
import Testing
@testable import PatgateCore

/// Forward auth's pure parts: the original request a gateway names, the credential it carries,
/// and which route covers it (README "Forward auth").
@Suite struct ForwardAuthRequestTests {
    let orders = AuthzRoute(id: "orders", host: "API.example.com", pathPrefix: "/orders", methods: ["get", "POST"],
                            audience: "orders-api", scopes: ["openid"])
    let anyHost = AuthzRoute(id: "git", pathPrefix: "/git/", audience: "git")

    func request(_ method: String = "GET", _ host: String? = "api.example.com", path: String) throws -> OriginalRequest {
        try #require(OriginalRequest(method: method, host: host, path: path))
    }

    @Test func aPrefixCoversItselfAndWhatIsBelowItOnly() throws {
        #expect(orders.matches(try request(path: "/orders")))
        #expect(orders.matches(try request(path: "/orders/17?expand=1")))
        #expect(orders.matches(try request("post", "API.EXAMPLE.COM:8443", path: "/orders/")))
        #expect(!orders.matches(try request(path: "/ordersx")))
        #expect(!orders.matches(try request(path: "/")))
        #expect(!orders.matches(try request("DELETE", "api.example.com", path: "/orders/1")))
        #expect(!orders.matches(try request("GET", "other.example.com", path: "/orders/1")))
        #expect(!orders.matches(try request("GET", nil, path: "/orders/1")))
        #expect(anyHost.matches(try request("PROPFIND", nil, path: "/git/repo.git/info/refs")))
        #expect(!anyHost.matches(try request(path: "/git")))
    }

    @Test(arguments: ["/orders/../admin", "/orders/%2e%2E/admin", "/orders/.%2E/admin", "/orders%2F..%2Fadmin",
                      "/orders/./1", "orders/1", "", "/orders/\u{7F}", "/orders/a b", "/orders\\..\\admin"])
    func pathsThatCouldLeaveAPrefixAreRefused(_ path: String) {
        #expect(OriginalRequest(method: "GET", host: nil, path: path) == nil)
    }

    @Test(arguments: ["/orders/..", "/orders/.", "/orders/%2e", "/orders/%2E%2e", "/orders%5C..", "/..", "/%2e%2e/x"])
    func aTrailingOrLeadingDotSegmentIsRefused(_ path: String) {
        #expect(OriginalRequest(method: "GET", host: nil, path: path) == nil)
    }

    @Test(arguments: ["/orders/...", "/orders/a.b", "/orders/.well-known", "/orders/%2", "/orders/%zz", "/orders/%2e%2e%2e",
                      "/orders/caf%C3%A9"])
    func dotsThatAreNotASegmentAreKept(_ path: String) throws {
        #expect(try #require(OriginalRequest(method: "GET", host: nil, path: path + "?q=1")).path == path)
    }

    @Test func hostsAndMethodsAreNormalized() throws {
        let request = try #require(OriginalRequest(method: "patch", host: "API.Example.COM:443", path: "/"))
        #expect(request.method == "PATCH")
        #expect(request.host == "api.example.com")
        #expect(OriginalRequest(method: "GET", host: "BÜCHER.example", path: "/")?.host == "bücher.example")
        #expect(OriginalRequest(method: "GET", host: ":80", path: "/")?.host == nil)
        #expect(OriginalRequest(method: "GET", url: "HTTPS://Api.Example.com/x")?.host == "api.example.com")
        #expect(OriginalRequest(method: "GET", url: "1ttp://api.example.com/x") == nil)
        #expect(OriginalRequest(method: "GET", url: "https://api.example.com?x=1")?.path == "/")
    }

    @Test func nginxOriginalURLs() throws {
        let absolute = try #require(OriginalRequest(method: "get", url: "https://api.example.com:8443/orders/1?x=%2e"))
        #expect(absolute == OriginalRequest(method: "GET", host: "api.example.com", path: "/orders/1"))
        #expect(OriginalRequest(method: "GET", url: "http://[::1]:8080")?.path == "/")
        #expect(OriginalRequest(method: "GET", url: "http://[::1]:8080")?.host == "[::1]")
        #expect(OriginalRequest(method: "GET", url: "/orders")?.host == nil)
        #expect(OriginalRequest(method: "GET", url: "http://user@evil/orders") == nil)
        #expect(OriginalRequest(method: "GET", url: "orders") == nil)
    }

    @Test func theFirstRouteInOrderDecides() throws {
        let wide = AuthzRoute(id: "all", pathPrefix: "/", audience: "all")
        let settings = AuthzSettings(clientID: "ci", routes: [orders, wide])
        #expect(settings.route(for: try request(path: "/orders/1"))?.id == "orders")
        #expect(settings.route(for: try request(path: "/other"))?.id == "all")
        #expect(AuthzSettings(clientID: "ci", routes: [orders]).route(for: try request(path: "/other")) == nil)
    }

    func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test func credentialsInEveryForm() {
        let pat = "pgat_abc123"
        #expect(GatewayCredential.find(authorization: "Bearer \(pat)", header: nil) == .credential(.init(scheme: .bearer, value: pat)))
        #expect(GatewayCredential.find(authorization: "bearer  \(pat) ", header: nil) == .credential(.init(scheme: .bearer, value: pat)))
        #expect(GatewayCredential.find(authorization: "token \(pat)", header: nil) == .credential(.init(scheme: .token, value: pat)))
        #expect(GatewayCredential.find(authorization: "BEARER \(pat)", header: nil) == .credential(.init(scheme: .bearer, value: pat)))
        #expect(GatewayCredential.find(authorization: "ToKeN \t\(pat)\t", header: nil) == .credential(.init(scheme: .token, value: pat)))
        // git, docker, pip, npm: any user, the PAT as the password (which may hold a colon).
        #expect(GatewayCredential.find(authorization: basic("x-access-token", pat), header: nil)
                == .credential(.init(scheme: .basic, value: pat)))
        #expect(GatewayCredential.find(authorization: basic("", "a:b"), header: nil) == .credential(.init(scheme: .basic, value: "a:b")))
        #expect(GatewayCredential.find(authorization: nil, header: " \(pat)") == .credential(.init(scheme: .header, value: pat)))
        // Authorization wins over the configured header.
        #expect(GatewayCredential.find(authorization: "token a", header: "b") == .credential(.init(scheme: .token, value: "a")))
        #expect(GatewayCredential.find(authorization: nil, header: nil) == GatewayCredential.Found.none)
    }

    @Test func malformedCredentialsSayWhetherBasicWasTried() {
        #expect(GatewayCredential.find(authorization: "Basic !!!", header: nil) == .malformed(basic: true))
        #expect(GatewayCredential.find(authorization: basic("user", ""), header: nil) == .malformed(basic: true))
        #expect(GatewayCredential.find(authorization: "Basic " + Data("nocolon".utf8).base64EncodedString(), header: nil)
                == .malformed(basic: true))
        #expect(GatewayCredential.find(authorization: "Bearer", header: nil) == .malformed(basic: false))
        #expect(GatewayCredential.find(authorization: "Bearer a b", header: nil) == .malformed(basic: false))
        #expect(GatewayCredential.find(authorization: "Digest x", header: nil) == .malformed(basic: false))
        for scheme in ["Beare", "Bearers", "tokens", "Basi", "Bearer\u{301}", "Bëarer"] {
            #expect(GatewayCredential.find(authorization: "\(scheme) abc", header: nil) == .malformed(basic: false), "\(scheme)")
        }
        #expect(GatewayCredential.find(authorization: nil, header: "  ") == .malformed(basic: false))
    }

    @Test func onlyABearerWithThreePartsIsCheckedAsAJWT() {
        #expect(GatewayCredential(scheme: .bearer, value: "a.b.c").looksLikeJWT)
        #expect(!GatewayCredential(scheme: .bearer, value: "pgat_x").looksLikeJWT)
        #expect(!GatewayCredential(scheme: .basic, value: "a.b.c").looksLikeJWT)
    }
}
