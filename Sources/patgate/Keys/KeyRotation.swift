import Foundation
import JOSE
import OpenSSL
import PatgateCore
import PatgateServer

/// The signing keys of one configuration file as `patgate keys` sees them: the entries as
/// the file spells them, the key each names, the journal, and the waits between steps.
struct KeyRotation {
    struct Entry {
        let path: String   // as the file spells it
        let key: SigningKey
    }

    let file: String
    let config: PatgateConfig
    let active: Entry
    let next: [Entry]
    let retired: [Entry]
    let algorithmPinned: Bool
    var journal: RotationJournal

    /// How long verifiers may cache the JWKS: the wait between stage and promote.
    var publicationWait: Int64 { Int64(config.keys.jwksMaxAge) }
    /// How long a token signed by a retired key may still verify: the wait before retire.
    var tokenLifetime: Int64 { config.policy.maxTokenLifetime }

    /// When a staged key may be promoted; `nil` when the journal does not know when it was staged.
    func promotableAt(_ kid: String) -> Int64? { journal.staged[kid].map { $0 + publicationWait } }

    /// When a retired key's tokens have all expired; `nil` when it was retired by hand.
    func removableAt(_ kid: String) -> Int64? { journal.retired[kid].map { $0 + tokenLifetime } }

    static func load(_ options: ConfigOptions) async throws -> KeyRotation {
        let (file, _) = try ConfigLocation(options: options).resolve(createIfMissing: false)
        guard FileManager.default.fileExists(atPath: file) else {
            throw ValidationErrorText("\(file): no configuration file; run `patgate serve` once or pass --config")
        }
        let environment = ProcessInfo.processInfo.environment
        let (entries, overriddenBy) = try await ConfigLoader.keyEntries(file: file, environment: environment)
        guard overriddenBy.isEmpty else {
            throw ValidationErrorText("""
                \(overriddenBy.joined(separator: ", ")) override keys.* of \(file); \
                rotate through those variables, or unset them to let `patgate keys` edit the file
                """)
        }
        let (config, _) = try await ConfigLocation(options: options).load(createIfMissing: false)
        let keys = config.keys
        func load(_ spelled: [String], _ resolved: [String]) throws -> [Entry] {
            try zip(spelled, resolved).map { Entry(path: $0, key: try SigningKey(contentsOfFile: $1)) }
        }
        return KeyRotation(
            file: file, config: config,
            active: Entry(path: entries.active, key: try SigningKey(contentsOfFile: keys.activePath, algorithm: keys.algorithm)),
            next: try load(entries.next, keys.nextPaths),
            retired: try load(entries.retired, keys.retiredPaths),
            algorithmPinned: entries.algorithm != nil,
            journal: try RotationJournal.load(besides: file))
    }

    /// Writes the new `keys:` entries (checked by loading the result first) and the journal.
    func write(active: Entry, next: [Entry], retired: [Entry], options: ConfigOptions) async throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let edited = try KeysSectionEditor(text: text).replacing(with: .init(
            active: active.path, next: next.map(\.path), retired: retired.map(\.path),
            algorithm: algorithmPinned ? active.key.algorithm.rawValue : nil))
        // The edited file must load as a whole before it replaces the running one's source.
        let candidate = file + ".patgate-keys.tmp"
        try Data(edited.utf8).write(to: URL(fileURLWithPath: candidate))
        defer { try? FileManager.default.removeItem(atPath: candidate) }
        var checkOptions = options
        checkOptions.config = candidate
        if checkOptions.dataDir == nil { checkOptions.dataDir = config.dataDirectory }
        do {
            _ = try await ConfigLocation(options: checkOptions).load(createIfMissing: false)
        } catch {
            throw ValidationErrorText("the edited configuration would not load, so \(file) is unchanged:\n\(error)")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        try FileManager.default.setAttributes([.posixPermissions: attributes[.posixPermissions] ?? 0o644], ofItemAtPath: candidate)
        guard rename(candidate, file) == 0 else { throw ValidationErrorText("cannot replace \(file)") }
        try journal.save(besides: file)
    }

    static func time(_ unix: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
    }

    static let reloadHint = """
        Reload every replica now: `systemctl reload patgate`, `kill -HUP <pid>`, or a rollout of the \
        Deployment (deploy/README.md).
        """
}
