import Configuration
import Synchronization

/// Records every key a `ConfigReader` is asked for, found or not: the keys the parser knows.
/// `UnknownKeys` compares the file and the environment against this record, so the set of
/// known keys is what the parser reads and cannot drift from it. Keys under a keyed block
/// (`clients.<id>.*`) are known once the parser reads them, that is once the id is declared.
final class ConfigKeyLog: AccessReporter, Sendable {
    private let keys = Mutex<Set<String>>([])

    func report(_ event: AccessEvent) {
        let key = event.metadata.key.components.joined(separator: ".")
        _ = keys.withLock { $0.insert(key) }
    }

    /// Every key asked for so far, dot-separated (`cache.ttl_seconds`).
    var known: Set<String> {
        keys.withLock { $0 }
    }
}
