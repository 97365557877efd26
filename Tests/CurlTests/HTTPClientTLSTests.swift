import Curl
import Testing

@Suite("HTTPClient TLS", .enabled(if: TLSServer.isAvailable), .serialized)
struct HTTPClientTLSTests {
    @Test func selfSignedCertificateFailsVerification() async throws {
        let server = try TLSServer()
        #expect(await server.waitUntilListening())
        let client = try HTTPClient(options: .init(connections: 1))
        let error = await curlError {
            try await client.perform(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/"))
        }
        #expect(error?.kind == .tls)
        #expect(error?.code == 60)
    }

    @Test func trustedViaCAFileSucceeds() async throws {
        let server = try TLSServer()
        #expect(await server.waitUntilListening())
        let client = try HTTPClient(options: .init(caFile: server.certificatePath, connections: 1))
        let response = try await client.perform(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/"))
        #expect(response.status == 200)
    }

    @Test func verificationOffAcceptsAnyCertificate() async throws {
        let server = try TLSServer()
        #expect(await server.waitUntilListening())
        let client = try HTTPClient(options: .init(verifyTLS: false, connections: 1))
        let response = try await client.perform(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/"))
        #expect(response.status == 200)
    }
}
