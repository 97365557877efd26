import Curl
import Foundation
import JOSE

/// Asks replicas which keys their JWKS publishes, through libcurl: `promote` refuses while
/// one of them does not yet publish the key about to sign, so no verifier meets a kid it
/// never saw. A fleet behind a load balancer is probed replica by replica (each its own URL).
enum JWKSProbe {
    /// URL → the kids it publishes, or why it could not be read.
    static func published(at urls: [String]) async throws -> [(url: String, kids: Result<Set<String>, ValidationErrorText>)] {
        guard !urls.isEmpty else { return [] }
        let client = try HTTPClient(options: .init(totalTimeout: .seconds(5), connections: min(urls.count, 8)))
        defer { client.shutdown() }
        var results: [(String, Result<Set<String>, ValidationErrorText>)] = []
        for url in urls {
            do {
                let response = try await client.perform(HTTPRequest(method: "GET", url: url))
                guard response.status == 200 else {
                    results.append((url, .failure(.init("HTTP \(response.status)"))))
                    continue
                }
                let set = try JSONDecoder().decode(JWKSet.self, from: Data(response.body))
                results.append((url, .success(Set(set.keys.compactMap(\.kid)))))
            } catch {
                results.append((url, .failure(.init("\(error)"))))
            }
        }
        return results
    }
}
