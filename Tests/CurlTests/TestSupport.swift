import Curl
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
