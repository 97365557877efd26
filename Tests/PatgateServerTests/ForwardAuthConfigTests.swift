import Foundation
import PatgateCore
import PatgateServer
import PatgateTestSupport
import Testing

/// `authz.*` in the keyed style of `clients` (README "Forward auth"): routes checked against
/// `authz.client` as `/token` would check them, unknown keys refused with the nearest known one.
@Suite struct ForwardAuthConfigTests {
    func load(_ yaml: String, environment: [String: String] = [:]) async throws -> (PatgateConfig?, String) {
        let summary = try FirstStart(dataDirectory: TemporaryPath.path("patgate-authz-config")).run()
        var text = try String(contentsOfFile: summary.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "audiences: [patgate]\n", with: "audiences: [patgate, orders-api]\n")
        try (text + "\n" + yaml).write(toFile: summary.configPath, atomically: true, encoding: .utf8)
        do {
            return (try await ConfigLoader.load(file: summary.configPath, environment: environment), "")
        } catch let error as ConfigError {
            return (nil, error.description)
        }
    }

    static let orders = """
        authz:
          client: ci
          routes:
            ids: [orders, git]
            orders:
              host: API.example.com
              path_prefix: /orders
              methods: [get, POST]
              audience: orders-api
              scopes: [openid]
            git:
              path_prefix: /git/
              audience: orders-api
        """

    @Test func routesInTheKeyedStyle() async throws {
        let (config, problems) = try await load(Self.orders)
        #expect(problems == "")
        let authz = try #require(config?.authz)
        #expect(authz.clientID == "ci")
        #expect(authz.routes == [
            AuthzRoute(id: "orders", host: "api.example.com", pathPrefix: "/orders", methods: ["GET", "POST"],
                       audience: "orders-api", scopes: ["openid"]),
            AuthzRoute(id: "git", pathPrefix: "/git/", audience: "orders-api"),
        ])
        #expect(authz.realm == "patgate" && authz.sendsSubject && authz.cacheMargin == 60 && authz.credentialHeader == nil)
        #expect(try await load("").0?.authz == nil)                        // off unless configured
    }

    @Test func unknownKeysAreRefusedWithTheNearestKnownOne() async throws {
        let text = try await load(Self.orders.replacingOccurrences(of: "path_prefix: /orders", with: "path_prefx: /orders")).1
        #expect(text.contains("authz.routes.orders.path_prefx: unknown key (did you mean authz.routes.orders.path_prefix?)"), "\(text)")
        #expect(text.contains("authz.routes.orders.path_prefix: needs a path"), "\(text)")
        let undeclared = try await load(Self.orders.replacingOccurrences(of: "ids: [orders, git]", with: "ids: [git]")).1
        #expect(undeclared.contains("authz.routes.orders.audience: unknown key"), "\(undeclared)")
    }

    @Test func routesTheClientCouldNeverBeGrantedAreErrors() async throws {
        let audience = try await load(Self.orders.replacingOccurrences(of: "audience: orders-api\n      scopes", with: "audience: billing\n      scopes")).1
        #expect(audience.contains("authz.routes.orders.audience: 'billing' is not in clients.ci.audiences"), "\(audience)")
        let gateway = try await load(Self.orders.replacingOccurrences(of: "client: ci", with: "client: patgate-gateway")).1
        #expect(gateway.contains("authz.client: 'patgate-gateway' needs the token_exchange grant"), "\(gateway)")
        let unknown = try await load(Self.orders.replacingOccurrences(of: "client: ci", with: "client: nobody")).1
        #expect(unknown.contains("authz.client: 'nobody' is not one of clients.ids"), "\(unknown)")
        let noClient = try await load(Self.orders.replacingOccurrences(of: "  client: ci\n", with: "")).1
        #expect(noClient.contains("authz.client: forward auth needs the client"), "\(noClient)")
    }

    @Test func badValuesAreNamed() async throws {
        let text = try await load(Self.orders + """

              credential_header: "X API Key"
              realm: 'a"b'
            """, environment: ["PATGATE_AUTHZ_ROUTES_GIT_METHODS": "GET,BAD METHOD", "PATGATE_AUTHZ_ROUTES_GIT_HOST": "https://x",
                               "PATGATE_AUTHZ_ROUTES_ORDERS_PATH_PREFIX": "/orders/../admin"]).1
        for expected in ["authz.credential_header:", "authz.realm:", "authz.routes.git.methods: 'BAD METHOD'",
                         "authz.routes.git.host:", "authz.routes.orders.path_prefix:"] {
            #expect(text.contains(expected), "\(expected) in \(text)")
        }
    }
}
