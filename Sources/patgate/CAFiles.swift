import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Replaces a CA's key and certificate files so that a failure leaves the old pair in place:
/// both new files are written and synced as temporary files next to their targets (the key with
/// mode 0600 from its creation), and only then renamed over the old ones.
struct CAFiles {
    let keyPath: String
    let certificatePath: String

    /// Writes `keyPEM` (mode 0600) and `certificatePEM` (mode 0644), replacing existing files.
    /// If the certificate cannot be put in place after the key was, the old key is restored.
    func replace(keyPEM: String, certificatePEM: String) throws {
        let keyTemporary = try Self.writeTemporary(keyPEM, next: keyPath, mode: 0o600)
        let certificateTemporary: String
        do {
            certificateTemporary = try Self.writeTemporary(certificatePEM, next: certificatePath, mode: 0o644)
        } catch {
            unlink(keyTemporary)
            throw error
        }
        // A hard link keeps the old key reachable until the certificate is in place too.
        let backup = Self.temporaryName(next: keyPath, purpose: "old")
        let hasBackup = link(keyPath, backup) == 0
        defer { if hasBackup { unlink(backup) } }
        guard rename(keyTemporary, keyPath) == 0 else {
            let reason = Self.errnoText()
            unlink(keyTemporary)
            unlink(certificateTemporary)
            throw ValidationError("cannot write \(keyPath): \(reason); the old CA files are unchanged")
        }
        guard rename(certificateTemporary, certificatePath) == 0 else {
            let reason = Self.errnoText()
            unlink(certificateTemporary)
            if hasBackup, rename(backup, keyPath) == 0 {
                throw ValidationError("cannot write \(certificatePath): \(reason); the old CA files are unchanged")
            }
            throw ValidationError("cannot write \(certificatePath): \(reason); \(keyPath) holds a new key that does not match it, run ca init --force again")
        }
    }

    /// `.<name>.<purpose>-<random>` in the directory of `path`.
    static func temporaryName(next path: String, purpose: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = ".\(url.lastPathComponent).\(purpose)-\(UUID().uuidString.prefix(8))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Creates a new file (never an existing one) with `mode`, writes and syncs `text`; returns its path.
    static func writeTemporary(_ text: String, next path: String, mode: mode_t) throws -> String {
        let temporary = temporaryName(next: path, purpose: "new")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw ValidationError("cannot write \(path): \(errnoText())")
        }
        var failure: String?
        let bytes = Array(text.utf8)
        var offset = 0
        while failure == nil, offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0, errno != EINTR {
                failure = errnoText()
            }
        }
        // open applies the umask; the certificate is meant to be world-readable.
        if failure == nil, fchmod(descriptor, mode) != 0 || fsync(descriptor) != 0 { failure = errnoText() }
        if close(descriptor) != 0, failure == nil { failure = errnoText() }
        if let failure {
            unlink(temporary)
            throw ValidationError("cannot write \(path): \(failure)")
        }
        return temporary
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
