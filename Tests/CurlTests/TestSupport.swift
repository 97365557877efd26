import Curl
import Foundation
import Testing

/// Runs `body`, which must fail with a ``CurlError``, and returns that error.
func curlError(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> HTTPResponse
) async -> CurlError? {
    do {
        let response = try await body()
        Issue.record("expected a CurlError, got status \(response.status)", sourceLocation: sourceLocation)
        return nil
    } catch let error as CurlError {
        return error
    } catch {
        Issue.record("expected a CurlError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Seconds `body` took.
func elapsed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    let duration = clock.now - start
    return (value, Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
}

/// Polls `condition` every 20 ms for up to `seconds`; true once it holds.
func eventually(within seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

/// The ids of this process's threads whose name starts with `prefix` (e.g. "patgate-curl").
func threadIDs(namedWithPrefix prefix: String) -> Set<Int32> {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return Set(tasks.compactMap { tid in
        guard let name = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
              name.hasPrefix(prefix) else { return nil }
        return Int32(tid)
    })
}

/// CPU seconds (user and system) the threads `ids` of this process have used so far, in
/// steps of the kernel's clock tick (10 ms).
func cpuSeconds(ofThreads ids: Set<Int32>) -> Double {
    let ticks = ids.map { tid -> Int in
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return 0 }
        // After "pid (comm) ": state is field 3, utime and stime fields 14 and 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return user + system
    }
    return Double(ticks.reduce(0, +)) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
