import Foundation
import JSON

/// One microbenchmark's result: how long one operation takes on one core.
struct Measurement {
    let name: String
    let operations: Int
    let seconds: Double

    var nanosecondsPerOperation: Double { seconds * 1e9 / Double(operations) }
    var operationsPerSecond: Double { Double(operations) / seconds }
    var line: String {
        "\(name): \(Int(nanosecondsPerOperation)) ns/op, \(Int(operationsPerSecond)) ops/s"
    }

    /// Runs `body` in batches until `seconds` have passed (after a short warm-up).
    static func run(_ name: String, seconds: Double, _ body: () throws -> Void) -> Measurement {
        let clock = ContinuousClock()
        let warmUp = clock.now.advanced(by: .milliseconds(200))
        while clock.now < warmUp { try? body() }
        var operations = 0
        let start = clock.now
        let end = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        var now = start
        while now < end {
            for _ in 0..<16 { try? body() }
            operations += 16
            now = clock.now
        }
        return Measurement(name: name, operations: operations, seconds: Self.seconds(now - start))
    }

    /// Runs `batch` (64 operations from the given index on) until `seconds` have passed: for
    /// operations that await.
    static func run(_ name: String, seconds: Double, batch: (Int) async throws -> Void) async throws -> Measurement {
        let clock = ContinuousClock()
        var operations = 0
        let start = clock.now
        let end = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        var now = start
        while now < end {
            try await batch(operations)
            operations += 64
            now = clock.now
        }
        return Measurement(name: name, operations: operations, seconds: Self.seconds(now - start))
    }

    /// `Measurement.run(_:seconds:batch:)` with the process's CPU seconds in place of wall time.
    static func cpuTimed(_ name: String, seconds: Double,
                                 batch: (Int) async throws -> Void) async throws -> Measurement {
        let cpuBefore = processCPUSeconds()
        let wall = try await run(name, seconds: seconds, batch: batch)
        return Measurement(name: name, operations: wall.operations, seconds: processCPUSeconds() - cpuBefore)
    }

    /// User and system CPU seconds of this process so far, on all its threads.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("name", name)
        json.key("ns_per_op")
        json.raw(Array(String(nanosecondsPerOperation).utf8))
        json.key("ops_per_second")
        json.raw(Array(String(operationsPerSecond).utf8))
        json.field("operations", Int64(operations))
        json.endObject()
    }
}
