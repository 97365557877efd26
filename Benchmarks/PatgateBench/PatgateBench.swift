import Foundation
import JSON
import OpenSSL
import PatgateAdapters
import PatgateCore

/// `patgate-bench`: the hot path's microbenchmarks and the cache's memory per entry, one core,
/// release build. Prints one JSON object; `scripts/bench` adds `openssl speed` from the same run.
///
///     patgate-bench [--seconds S] [--only NAME] [--cache-entries N] [--cache-shape SHAPE] [--http-url URL]
///
/// Measure one cache shape per process (`--cache-shape`): memory freed by an earlier shape stays
/// in the allocator and would hide part of the next one's growth.
@main
struct PatgateBench {
    static func main() async throws {
        let options = Options(CommandLine.arguments.dropFirst())
        // Whole signatures, nonce set-up included: the CPU one costs wherever it runs, which
        // the floors (scripts/lib/bench/floor.py) and the `openssl speed` comparison need.
        PrivateKey.signsWithSetupsMadeAhead = false
        var items: [Measurement] = []
        let hotPath = try HotPathBenchmarks()
        for (name, body) in hotPath.synchronous where options.selects(name) {
            items.append(Measurement.run(name, seconds: options.seconds, body))
            FileHandle.standardError.write(Data("\(items.last!.line)\n".utf8))
        }
        if options.selects(HotPathBenchmarks.cacheLookupName) {
            items.append(try await hotPath.cacheLookup(seconds: options.seconds))
            FileHandle.standardError.write(Data("\(items.last!.line)\n".utf8))
        }
        if options.selects(HotPathBenchmarks.exchangeName) {
            items.append(try await hotPath.exchangeAtOnce(seconds: options.seconds))
            FileHandle.standardError.write(Data("\(items.last!.line)\n".utf8))
        }
        for item in try await ScaleBenchmarks.run(seconds: options.seconds, selects: options.selects) {
            items.append(item)
            FileHandle.standardError.write(Data("\(item.line)\n".utf8))
        }
        for item in try await StoreBenchmarks.run(seconds: options.seconds, selects: options.selects) {
            items.append(item)
            FileHandle.standardError.write(Data("\(item.line)\n".utf8))
        }
        if let url = options.httpURL, options.selects(CurlBenchmarks.name) {
            items.append(try await CurlBenchmarks.run(url: url, seconds: options.seconds))
            FileHandle.standardError.write(Data("\(items.last!.line)\n".utf8))
        }
        for item in MetricsBenchmarks.run(seconds: options.seconds, selects: options.selects) {
            items.append(item)
            FileHandle.standardError.write(Data("\(item.line)\n".utf8))
        }
        var memory: [CacheMemory.Result] = []
        if options.cacheEntries > 0 {
            for shape in CacheMemory.Shape.allCases where options.cacheShape.map({ $0 == shape.rawValue }) ?? true {
                let result = try await CacheMemory.measure(entries: options.cacheEntries, shape: shape)
                FileHandle.standardError.write(Data("\(result.line)\n".utf8))
                memory.append(result)
            }
        }
        var json = JSONWriter()
        json.beginObject()
        json.key("items")
        json.beginArray()
        for item in items { item.write(to: &json) }
        json.endArray()
        json.key("cache_memory")
        json.beginArray()
        for result in memory { result.write(to: &json) }
        json.endArray()
        json.endObject()
        print(String(decoding: json.bytes, as: UTF8.self))
    }
}

/// The command line: `--seconds S` per benchmark, `--cache-entries N` (0: skip), `--only NAME`.
struct Options {
    var seconds = 3.0
    var cacheEntries = 1_000_000
    var only: String?
    var cacheShape: String?
    /// A server for the libcurl client's benchmark; without it, that one is skipped.
    var httpURL: String?

    init(_ arguments: ArraySlice<String>) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            let value = rest.popFirst() ?? ""
            switch flag {
            case "--seconds": seconds = Double(value) ?? seconds
            case "--cache-entries": cacheEntries = Int(value) ?? cacheEntries
            case "--only": only = value
            case "--cache-shape": cacheShape = value
            case "--http-url": httpURL = value
            default:
                FileHandle.standardError.write(Data("usage: patgate-bench [--seconds S] [--only NAME] [--cache-entries N] [--cache-shape SHAPE] [--http-url URL]\n".utf8))
                exit(2)
            }
        }
    }

    func selects(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }
}
