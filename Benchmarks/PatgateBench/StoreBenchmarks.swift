import Foundation
import NIOPosix
import PatgateAdapters
import PatgateCore

/// The cache miss's store read, for issue 14's floor of a miss ("hit + one loopback request on
/// each side + one store read"): the built-in issuer's lookup of a PAT and its owner by hash
/// (`SQLitePATStore.findWithOwner`), in a SQLite file of `tokens` PATs, one read after another.
/// Timed in CPU, not wall time: the process's user and system seconds per read, so the read
/// thread's work and the hand-offs there and back (invariant 6 in docs/ARCHITECTURE.md keeps the
/// read off the event loop) are counted, on every core they ran.
///
/// With it, the same hand-off with no read (a thread pool of one thread, as `SQLiteDatabase`'s):
/// the difference is the read itself, which is what the floor counts.
enum StoreBenchmarks {
    static let tokens = 2_000
    static let name = "store read: a PAT and its owner by hash (SQLite, \(tokens) PATs; CPU per read, hand-offs included)"
    static let handOffName = "hand-off to a read thread and back, no read (CPU)"

    static func run(seconds: Double, selects: (String) -> Bool) async throws -> [Measurement] {
        var items: [Measurement] = []
        if selects(name) { items.append(try await storeRead(seconds: seconds)) }
        if selects(handOffName) { items.append(try await handOff(seconds: seconds)) }
        return items
    }

    private static func handOff(seconds: Double) async throws -> Measurement {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let measured = try await Measurement.cpuTimed(handOffName, seconds: seconds) { _ in
            for _ in 0..<64 { try await thread.runIfActive {} }
        }
        try await thread.shutdownGracefully()
        return measured
    }

    private static func storeRead(seconds: Double) async throws -> Measurement {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patgate-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = SQLitePATStore(database: try SQLiteDatabase(path: directory.appendingPathComponent("store.sqlite").path))
        var hashes: [[UInt8]] = []
        for index in 0..<tokens {
            let hash = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let token = PersonalAccessToken(id: String(format: "%024x", index), owner: "bench", name: "pat \(index)",
                                            scopes: ["openid", "profile"], createdAt: 1_800_000_000)
            try await store.insert(token, valueHash: hash)
            hashes.append(hash)
        }
        let asked = (0..<65_536).map { _ in hashes[Int.random(in: 0..<hashes.count)] }
        return try await Measurement.cpuTimed(name, seconds: seconds) { done in
            for hash in asked[(done % asked.count)...].prefix(64) {
                guard try await store.findWithOwner(valueHash: hash) != nil else { fatalError("a stored PAT was not found") }
            }
        }
    }
}
