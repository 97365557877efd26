import Foundation
import Logging
import PatgateTestSupport
import Testing
@testable import PatgateAdapters
import PatgateCore

/// One database the store conformance suites run against. Each test gets fresh, empty
/// storage and an `open` that opens the stores on it, again and again (to test reopening).
struct StoreBackend: Sendable, CustomTestStringConvertible {
    typealias Opener = @Sendable () async throws -> IssuerStores

    let kind: IssuerStores.Kind
    let withFreshStorage: @Sendable (_ body: (_ open: Opener) async throws -> Void) async throws -> Void

    var testDescription: String { kind.rawValue }

    /// SQLite always; PostgreSQL when `PATGATE_TEST_POSTGRES_URL` is set (`scripts/test` sets it).
    static var available: [StoreBackend] {
        PostgresTestDatabase.isConfigured ? [sqlite, postgres] : [sqlite]
    }

    static let sqlite = StoreBackend(kind: .sqlite) { body in
        let path = TemporaryPath.path("patgate") + ".sqlite"
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await body { try IssuerStores.sqlite(path: path) }
    }

    static let postgres = StoreBackend(kind: .postgres) { body in
        try await PostgresTestDatabase.withFreshSchema { settings in
            try await body { try await IssuerStores.postgres(settings, logger: PostgresTestDatabase.logger, maximumConnections: 8) }
        }
    }

    /// Opens the stores once on fresh storage, runs `body` while they answer, and closes them.
    func withStores(_ body: (IssuerStores) async throws -> Void) async throws {
        try await withFreshStorage { open in
            let stores = try await open()
            try await stores.withRunning { try await body(stores) }
        }
    }
}
