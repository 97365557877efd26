import Foundation
import PatgateCore
import PatgateTestSupport
import Testing
@testable import PatgateAdapters

/// `PostgresLoginProvider.bounded`, without a server: a failing step is logged with its reason
/// and is `unavailable`; a step cancelled because its exchange's client left is not logged as the
/// server's failure.
@Suite struct PostgresLoginBoundsTests {
    func provider(_ capture: LogCapture) throws -> PostgresLoginProvider {
        let admin = PostgresSettings(host: "127.0.0.1", port: 1, username: "admin", password: nil, database: "postgres")
        return PostgresLoginProvider(
            settings: PostgresLoginSettings(admin: admin, roles: ["reader"], namePrefix: "pgt_", reuseMargin: nil,
                                            reapInterval: 0, timeout: 10),
            logger: capture.logger("test"))
    }

    struct Refused: Error {}

    @Test func aFailingStepIsLoggedAndACancelledOneIsNot() async throws {
        let capture = LogCapture()
        let provider = try provider(capture)
        let abandoned = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await provider.bounded("create a login") { try await Task.sleep(for: .seconds(5)) }
        }
        let cancelled = await #expect(throws: CredentialError.self) { try await abandoned.value }
        #expect(cancelled == .abandoned)
        #expect(capture.lines.isEmpty, "\(capture.lines)")

        let failed = await #expect(throws: CredentialError.self) {
            try await provider.bounded("create a login") { throw Refused() }
        }
        #expect(failed?.kind == .unavailable && failed != .abandoned)
        #expect(capture.lines.contains { $0.hasPrefix("error PostgreSQL credentials: cannot create a login") }, "\(capture.lines)")
    }
}
