#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CoreMetrics
import Prometheus
import Synchronization

/// The standard `process_*` series, read from `/proc/self` when `/metrics` is scraped (Linux;
/// elsewhere they stay 0): resident memory, CPU seconds, open and maximum file descriptors,
/// start time.
final class ProcessGauges: Sendable {
    private let residentMemory: CoreMetrics.Gauge
    private let cpuSeconds: CoreMetrics.FloatingPointCounter
    private let openFDs: CoreMetrics.Gauge
    private let maxFDs: CoreMetrics.Gauge
    private let startTime: CoreMetrics.Gauge
    private let cpuReported = Mutex<Double>(0)

    init(factory: PrometheusMetricsFactory) {
        residentMemory = CoreMetrics.Gauge(label: MetricName.residentMemory, factory: factory)
        cpuSeconds = CoreMetrics.FloatingPointCounter(label: MetricName.cpuSeconds, factory: factory)
        openFDs = CoreMetrics.Gauge(label: MetricName.openFDs, factory: factory)
        maxFDs = CoreMetrics.Gauge(label: MetricName.maxFDs, factory: factory)
        startTime = CoreMetrics.Gauge(label: MetricName.startTime, factory: factory)
        if let start = Self.startTimeSeconds() { startTime.record(start) }
    }

    func update() {
        #if os(Linux)
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = Self.read("/proc/self/statm"), let pages = Self.fields(statm).dropFirst().first.flatMap(Double.init) {
            residentMemory.record(pages * pageSize)
        }
        if let fields = Self.statFields(), fields.count > 14, let user = Double(fields[11]), let system = Double(fields[12]) {
            let total = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            let delta = cpuReported.withLock { reported -> Double in
                defer { reported = max(reported, total) }
                return total - reported
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
        }
        openFDs.record(Self.countOpenFDs())
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.record(Double(limit.rlim_cur)) }
        #endif
    }

    /// `/proc/self/stat` after the command name (which may hold spaces): field 3 onwards.
    private static func statFields() -> [Substring]? {
        guard let stat = read("/proc/self/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        return fields(stat[stat.index(after: close)...])
    }

    /// Seconds since the epoch: boot time (`/proc/stat` btime) plus the start's clock ticks after boot.
    private static func startTimeSeconds() -> Double? {
        #if os(Linux)
        guard let fields = statFields(), fields.count > 19, let ticks = Double(fields[19]),
              let stat = read("/proc/stat"),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let boot = Self.fields(line).last.flatMap({ Double($0) }) else { return nil }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
        #else
        return nil
        #endif
    }

    private static func countOpenFDs() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != 46 { count += 1 }   // not "." or ".."
        }
        return max(0, count - 1)   // the descriptor opendir itself holds
    }

    private static func fields<S: StringProtocol>(_ text: S) -> [Substring] where S.SubSequence == Substring {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" })
    }

    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
