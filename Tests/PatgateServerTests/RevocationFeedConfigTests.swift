import Foundation
import PatgateServer
import PatgateTestSupport
import Testing

/// `upstream.revocation_feed_url` (README "Revocation feed"): only for a gateway-only
/// deployment, only with the introspection client's Basic credentials, only http(s).
@Suite struct RevocationFeedConfigTests {
    func load(_ environment: [String: String]) async throws -> (PatgateConfig?, String) {
        let summary = try FirstStart(dataDirectory: TemporaryPath.path("patgate-feed-config")).run()
        do {
            return (try await ConfigLoader.load(file: summary.configPath, environment: environment), "")
        } catch let error as ConfigError {
            return (nil, error.description)
        }
    }

    static let gatewayOnly = ["PATGATE_ISSUER_ENABLED": "false",
                              "PATGATE_UPSTREAM_INTROSPECTION_URL": "https://issuer.example/introspect"]

    @Test func aGatewayOnlyDeploymentNamesTheFeed() async throws {
        let (config, problems) = try await load(Self.gatewayOnly.merging(
            ["PATGATE_UPSTREAM_REVOCATION_FEED_URL": "https://issuer.example/revocations"]) { $1 })
        #expect(problems == "")
        #expect(config?.upstream.revocationFeedURL == "https://issuer.example/revocations")
        #expect(try await load(Self.gatewayOnly).0?.upstream.revocationFeedURL == nil)   // third-party: none
    }

    @Test func theFeedIsRefusedWhereItCannotWork() async throws {
        let withIssuer = try await load(["PATGATE_UPSTREAM_REVOCATION_FEED_URL": "https://issuer.example/revocations"]).1
        #expect(withIssuer.contains("upstream.revocation_feed_url: is for a gateway without the built-in issuer"), "\(withIssuer)")
        let bearer = try await load(Self.gatewayOnly.merging([
            "PATGATE_UPSTREAM_REVOCATION_FEED_URL": "https://issuer.example/revocations",
            "PATGATE_UPSTREAM_AUTH": "bearer", "PATGATE_UPSTREAM_BEARER_TOKEN": "t",
        ]) { $1 }).1
        #expect(bearer.contains("upstream.revocation_feed_url: the feed is read as the introspection client"), "\(bearer)")
        let scheme = try await load(Self.gatewayOnly.merging(["PATGATE_UPSTREAM_REVOCATION_FEED_URL": "ftp://issuer/revocations"]) { $1 }).1
        #expect(scheme.contains("upstream.revocation_feed_url: must be an http or https URL"), "\(scheme)")
    }
}
