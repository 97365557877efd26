import Foundation
import PatgateCore
import Synchronization
import Testing
@testable import PatgateAdapters

/// The broker's withdrawal with the real PostgreSQL provider: a provider after it fails at issue
/// time, so the login it created must be dropped again. The end-to-end suite cannot reach this
/// path (x509, the only provider after postgres, refuses everything it can in `prepare`).
@Suite(.enabled(if: PostgresLoginTestSupport.isConfigured, PostgresLoginTestSupport.skipNote))
struct CredentialBrokerPostgresTests {
    typealias Support = PostgresLoginTestSupport

    /// Prepares, then fails at issue time as an unreachable peer would.
    struct FailingAtIssue: CredentialProvider {
        var name: String { "later" }
        var publicSettings: [CredentialField] { [] }
        struct Prepared: PreparedCredential {
            func issue() async throws(CredentialError) -> IssuedCredential {
                throw CredentialError(.unavailable, "the later provider is unreachable")
            }
        }
        func prepare(_ request: CredentialRequest) throws(CredentialError) -> (any PreparedCredential)? { Prepared() }
    }

    final class Audit: AuditLog {
        let events = Mutex<[AuditEvent]>([])
        func record(_ event: AuditEvent) { events.withLock { $0.append(event) } }
    }

    @Test func aLaterFailureDropsTheLoginJustCreated() async throws {
        try await Support.withProvider { provider, prefix in
            let audit = Audit()
            let broker = CredentialBroker(providers: [provider, FailingAtIssue()], audit: audit)
            let request = try Support.request(SubjectIdentity(subject: "alice", username: "alice", scopes: ["credentials"]),
                                              lifetime: 600)
            await #expect(throws: CredentialError.self) { _ = try await broker.issue(request) }

            let events = audit.events.withLock { $0 }
            #expect(events.map(\.kind) == [.credentialFailed, .credentialWithdrawn])
            let withdrawn = try #require(events.last?.target)
            #expect(withdrawn.hasPrefix(prefix + "alice_"))
            #expect(events.last?.detail?.contains("provider=postgres") == true)
            #expect(try await !Support.exists(withdrawn))
            #expect(try await Support.roles(prefix: prefix) == [])
        }
    }
}
