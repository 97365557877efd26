import Foundation
import Synchronization
import Testing

@testable import OpenSSL

/// What the release hook saw: the buffer's bytes after the wipe, before it was freed.
private final class Observed: Sendable {
    let bytes = Mutex<[UInt8]?>(nil)
}

@Suite struct SecretBytesTests {
    @Test func theBufferIsCleansedWhenTheLastCopyIsReleased() {
        let observed = Observed()
        var copy: SecretBytes?
        do {
            var secret = SecretBytes(capacity: 32, onRelease: { buffer in observed.bytes.withLock { $0 = Array(buffer) } })
            let fill = [UInt8](repeating: 0xA5, count: 32)
            fill.withUnsafeBytes { secret.append($0) }
            #expect(secret.withUnsafeBytes { Array($0) } == fill)
            copy = secret
        }
        // A copy shares the buffer, so nothing is wiped while it lives.
        #expect(observed.bytes.withLock { $0 } == nil)
        #expect(copy?.count == 32)
        copy = nil
        #expect(observed.bytes.withLock { $0 } == [UInt8](repeating: 0, count: 32))
    }

    @Test func wipingTakesTheBytesAndZeroesTheSource() {
        var source: [UInt8] = Array(1...40)
        let secret = SecretBytes(wiping: &source)
        #expect(source == [UInt8](repeating: 0, count: 40))
        #expect(secret.withUnsafeBytes { Array($0) } == Array(1...40))
        #expect(secret.constantTimeEquals(Array(1...40)))
        #expect(!secret.constantTimeEquals(Array(1...39)))
        var same: [UInt8] = Array(1...40)
        #expect(SecretBytes(wiping: &same) == secret)
        #expect("\(secret)" == "SecretBytes(40 bytes)")
    }

    @Test func hmacUnderSecretBytesMatchesTheArrayKey() throws {
        let key = try SecureRandom.secretBytes(32)
        let array = key.withUnsafeBytes { Array($0) }
        #expect(Digest.hmacSHA256(key: key, data: Array("pat".utf8)) == Digest.hmacSHA256(key: array, data: Array("pat".utf8)))
    }

    /// Key files are read into growing `SecretBytes`: more than one 4 KiB buffer, and the size limit.
    @Test func keyFilesAreReadWholeAndBounded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let content = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let path = directory.appendingPathComponent("big.pem").path
        try Data(content).write(to: URL(fileURLWithPath: path))
        #expect(try PEMReader.readFile(path).withUnsafeBytes { Array($0) } == content)
        let empty = directory.appendingPathComponent("empty.pem").path
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(try PEMReader.readFile(empty).count == 0)
        let huge = directory.appendingPathComponent("huge.pem").path
        try Data(count: PEMReader.maximumFileSize + 1).write(to: URL(fileURLWithPath: huge))
        #expect(throws: CryptoError.self) { try PEMReader.readFile(huge) }
    }

    @Test func base64URLKeyFilesDecodeStrictly() throws {
        let key = try SecureRandom.bytes(32)
        var text = Array(("\n " + Base64URL.encode(key) + "\n").utf8)
        #expect(SecretBytes(wiping: &text).base64URLDecoded()?.withUnsafeBytes { Array($0) } == key)
        for bad in ["abc=", "a", "ab!d", "AB", " "] {
            var bytes = Array(bad.utf8)
            let decoded = SecretBytes(wiping: &bytes).base64URLDecoded()
            #expect(decoded?.count == (bad == " " ? 0 : nil), "\(bad)")
        }
    }
}
