import Foundation
import PatgateTelemetry
import Testing

/// The value `/metrics` shows for `series` now, 0 when it shows none.
func scraped(_ series: String, from registry: MetricsRegistry) -> Double {
    let text = String(decoding: registry.render(), as: UTF8.self)
    return text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
        .flatMap { Double($0.split(separator: " ").last!) } ?? 0
}

/// The registry is the process's one (as in `patgate serve`): counts are compared before and after.
@Suite(.serialized) struct MetersTests {
    let registry = Meters.install(version: "test")

    func value(_ series: String) -> Double { scraped(series, from: registry) }

    @Test func countsExchangesByClientAndResult() {
        let series = #"patgate_token_exchanges_total{client_id="ci",result="invalid_grant"}"#
        let before = value(series)
        Meters.exchange(clientID: "ci", result: "invalid_grant")
        Meters.exchange(clientID: "ci", result: "invalid_grant")
        #expect(value(series) == before + 2)
    }

    @Test func timesHTTPRequestsByRouteTemplate() {
        let count = #"patgate_http_request_duration_seconds_count{route="/api/v1/tokens/{id}",method="GET"}"#
        let before = value(count)
        Meters.httpRequest(route: "/api/v1/tokens/{id}", method: "GET", status: 404, nanoseconds: 2_000_000)
        #expect(value(count) == before + 1)
        #expect(value(#"patgate_http_requests_total{route="/api/v1/tokens/{id}",method="GET",status="404"}"#) >= 1)
    }

    @Test func readsTheProcessFromProc() {
        #expect(value("process_resident_memory_bytes") > 1_000_000)
        #expect(value("process_open_fds") >= 3)
        #expect(value("process_max_fds") >= value("process_open_fds"))
        #expect(value("process_start_time_seconds") > 1_600_000_000)
        // The first install in this process names the version (another suite's server may have been first).
        let text = String(decoding: registry.render(), as: UTF8.self)
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("patgate_build_info{version=") && ($0.hasSuffix(" 1.0") || $0.hasSuffix(" 1")) })
    }

    @Test func aSecondInstallKeepsTheFirstRegistry() {
        #expect(Meters.install(version: "other") === registry)
        #expect(Meters.isEnabled)
    }
}

/// Each thread records into its own tally (`ThreadTally`); `/metrics` adds them all before it renders.
@Suite(.serialized) struct ThreadTallyTests {
    let registry = Meters.install(version: "test")

    func value(_ series: String) -> Double { scraped(series, from: registry) }

    @Test func aScrapeCountsWhatEveryLiveThreadRecorded() async {
        let series = #"patgate_token_exchanges_total{client_id="threads",result="success"}"#
        let before = value(series)
        // More than one tally's capacity on each of four threads, which stay alive in the pool.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { for _ in 0..<1_000 { Meters.exchange(clientID: "threads", result: "success") } }
            }
        }
        Meters.exchange(clientID: "threads", result: "success")
        #expect(value(series) == before + 4_001)
    }

    @Test func aFlushSumsCountsAndKeepsEveryDuration() {
        // Counters, counted timers and timers mixed in more than one tally's worth on one thread:
        // a flush adds each counter's sum once and records every duration.
        let requests = #"patgate_http_requests_total{route="/mixed",method="POST",status="200"}"#
        let durations = #"patgate_http_request_duration_seconds_count{route="/mixed",method="POST"}"#
        let slow = #"patgate_http_request_duration_seconds_bucket{route="/mixed",method="POST",le="0.0001"}"#
        let exchanges = #"patgate_token_exchanges_total{client_id="mixed",result="success"}"#
        let before = (value(requests), value(durations), value(slow), value(exchanges))
        for index in 0..<300 {
            Meters.httpRequest(route: "/mixed", method: "POST", status: 200, nanoseconds: index.isMultiple(of: 3) ? 50_000 : 5_000_000)
            Meters.exchange(clientID: "mixed", result: "success")
        }
        #expect(value(requests) == before.0 + 300)
        #expect(value(durations) == before.1 + 300)
        #expect(value(slow) == before.2 + 100)   // the 50 µs ones, under the 100 µs bucket's bound
        #expect(value(exchanges) == before.3 + 300)
    }

    @Test func aThreadThatEndsLeavesItsCountsBehind() async throws {
        let series = #"patgate_http_requests_total{route="/ended",method="GET",status="200"}"#
        let duration = #"patgate_http_request_duration_seconds_count{route="/ended",method="GET"}"#
        let before = value(series)
        let thread = Thread {
            for _ in 0..<10 { Meters.httpRequest(route: "/ended", method: "GET", status: 200, nanoseconds: 1_000) }
        }
        thread.start()
        // The thread's tally is added when the thread ends, a moment after its body returns.
        let deadline = ContinuousClock.now + .seconds(5)
        while value(series) < before + 10, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(value(series) == before + 10)
        #expect(value(duration) >= 10)
    }
}
